"""The one HTML sanitizer: notice bodies pasted from Word/WPS, cleaned to a strict allowlist.

Kept: p, br, strong/b, em/i, u, ul/ol/li, h3/h4, table/thead/tbody/tr/th/td; no attribute but
colspan/rowspan (1–999) on th/td; no URL of any kind, no style, no class. Dropped with all they
contain: script, style, xml, o:p, Word's VML/Word/Math islands (v:, w:, m:), head and title,
embedded objects, frames, forms' lists and text areas, svg and math, and every comment — which
includes Word's conditional comments (<!--[if gte mso 9]>…<![endif]-->). The text that Word
reveals to every other browser (<![if !supportLists]>1.<![endif]>, a list's number) is kept.
Any other element loses its tag and keeps its text (span, font, a, div — a div becomes a
paragraph, h1/h2 become h3, h5/h6 h4). Word's mso- styles, classes and empty spans therefore
vanish; paragraphs left empty are dropped and whitespace is collapsed.

Two stages: `_sanitize` (bleach, after a pass that drops the contents listed above) applies the
allowlist; `_Canonical` (standard library) writes the result out again from the same allowlist,
escaping all text, so each stage alone lets nothing else through. Only `_sanitize` and the
`_Drop…` pass know bleach: to swap bleach for nh3, replace them with
``nh3.clean(text, tags=ALLOWED_TAGS, clean_content_tags=…, attributes=…, url_schemes=set(),
strip_comments=True, link_rel=None)`` — a change in this file only. No other module imports bleach.

Stored bodies are either plain text (as typed, shown with its line breaks) or this module's
output, which always starts with a block tag (<p>, <h3>, <h4>, <ul>, <ol>, <table>): that is how
`is_html_body` tells them apart, without a column or a rewrite of the bodies already stored.
"""
from __future__ import annotations

import re
import threading
from html import escape
from html.parser import HTMLParser
from typing import Any

import bleach
from bleach import html5lib_shim

INLINE_TAGS = frozenset({"strong", "b", "em", "i", "u"})
BLOCK_TAGS = frozenset({"p", "h3", "h4", "ul", "ol", "table"})
ALLOWED_TAGS = INLINE_TAGS | BLOCK_TAGS | {"br", "li", "thead", "tbody", "tr", "th", "td"}
SPAN_ATTRIBUTES = ("colspan", "rowspan")
# Elements dropped together with everything inside them.
DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "xml", "o:p", "head", "title", "meta", "link", "base", "template", "noscript",
    "noembed", "noframes", "iframe", "frame", "frameset", "object", "embed", "applet", "param",
    "textarea", "select", "option", "optgroup", "datalist", "xmp", "plaintext", "svg", "math",
    "canvas", "audio", "video", "picture", "img", "map",
})
DROPPED_PREFIXES = ("v:", "w:", "m:")  # Word's VML shapes, Word and Office Math islands
RENAMED = {"div": "p", "h1": "h3", "h2": "h3", "h5": "h4", "h6": "h4"}
_STORED_HTML = re.compile(r"<(?:p|h3|h4|ul|ol|table)>")
_TAG_IN_TEXT = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9]*(?::[A-Za-z0-9]+)?(?=[\s/>])|!--|!\[|!doctype|\?xml)",
                          re.IGNORECASE)
_CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
_SPACE_RUN = re.compile(r"[ \t\r\n\f]+")
_EMPTY_INLINE = re.compile(r"<(strong|b|em|i|u)>([ \u00a0]*)</\1>")
_EMPTY_BLOCK = re.compile(r"<(p|h3|h4)>(?:[ \u00a0]|<br>)*</\1>")
_TRAILING_BREAKS = re.compile(r"(?:<br>)+(</(?:p|h3|h4|li|th|td)>)")
_SPACE_AT_BLOCK = re.compile(r" *(</?(?:p|h3|h4|ul|ol|li|table|thead|tbody|tr|th|td)(?: [^>]*)?>|<br>) *")


def looks_like_html(text: str) -> bool:
    """True when `text` carries a tag or comment (pasted HTML) rather than being plain text.
    Plain text with a lone < or & ("面积 < 5 亩", "A&B") is not HTML."""
    return bool(_TAG_IN_TEXT.search(text))


def clean_html(text: str) -> str:
    """`text` (HTML, e.g. pasted from Word or WPS) reduced to the allowlist above, in a canonical
    form that always starts with a block tag; "" when nothing readable is left. Idempotent."""
    html = _canonical(_sanitize(text)) if text else ""
    return html if to_text(html) else ""  # e.g. a table whose every cell was an image


def is_html_body(body: str) -> bool:
    """A stored body is HTML when it is `clean_html`'s output (which starts with a block tag);
    anything else is plain text, shown as typed."""
    return bool(_STORED_HTML.match(body))


def to_text(html: str) -> str:
    """Plain text of HTML, for search, the feed and diffs: one line per paragraph, list item or
    table row (cells separated by a tab), entities decoded."""
    reader = _TextReader()
    reader.feed(html)
    reader.close()
    lines = (re.sub(r" *\t *", "\t", re.sub(r" {2,}", " ", line)).strip(" \t")
             for line in "".join(reader.parts).split("\n"))
    return "\n".join(line for line in lines if line.strip())


def body_text(body: Any) -> Any:
    """A stored body as plain text (an HTML body's text, a plain body as it is); not a string: as it is."""
    return to_text(body) if isinstance(body, str) and is_html_body(body) else body


# -- stage 1: bleach, after dropping what must go with its contents ------------------------------

def _dropped(name: str, namespace: str | None) -> bool:
    return (name in DROPPED_WITH_CONTENT or name.startswith(DROPPED_PREFIXES)
            or namespace not in (None, html5lib_shim.namespaces["html"]))


class _DropContents(html5lib_shim.Filter):  # type: ignore[misc]  # bleach has no type information
    """Leaves out comments, doctypes and the elements of DROPPED_WITH_CONTENT with all they hold;
    renames the tags of RENAMED. The tree walker pairs every start tag with its end tag."""

    def __iter__(self) -> Any:
        inside = 0
        for token in super().__iter__():
            kind = token["type"]
            if kind in ("Comment", "Doctype"):
                continue
            if kind in ("StartTag", "EndTag", "EmptyTag"):
                name = token["name"].lower()
                if inside:
                    inside += {"StartTag": 1, "EndTag": -1}.get(kind, 0)
                    continue
                if _dropped(name, token.get("namespace")):
                    inside = 1 if kind == "StartTag" else 0
                    continue
                token = {**token, "name": RENAMED.get(name, name)}
            elif inside:
                continue
            yield token


def _span_attribute(tag: str, name: str, value: str) -> bool:
    return tag in ("th", "td") and name in SPAN_ATTRIBUTES and _span(value) is not None


def _span(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and 0 < int(value) < 1000 else None


_local = threading.local()  # bleach's parser keeps state: one per thread


def _sanitize(text: str) -> str:
    """bleach with the allowlist, on `text` already parsed once (as a browser would) to drop the
    elements of DROPPED_WITH_CONTENT with their contents."""
    if not hasattr(_local, "cleaner"):
        _local.parser = html5lib_shim.HTMLParser(namespaceHTMLElements=False)
        _local.walker = html5lib_shim.getTreeWalker("etree")
        _local.serializer = html5lib_shim.HTMLSerializer(quote_attr_values="always", omit_optional_tags=False,
                                                         resolve_entities=False, sanitize=False)
        _local.cleaner = bleach.Cleaner(tags=ALLOWED_TAGS, attributes=_span_attribute, protocols=[],
                                        strip=True, strip_comments=True)
    tree = _local.parser.parseFragment(text)
    kept: str = _local.serializer.render(_DropContents(_local.walker(tree)))
    cleaned: str = _local.cleaner.clean(kept)
    return cleaned


# -- stage 2: the canonical form, written out again from the allowlist ----------------------------

def _collapse(data: str) -> str:
    """Whitespace runs as one space; a line break between two Chinese characters (Word wraps its
    HTML source anywhere) as nothing."""
    def one(match: re.Match[str]) -> str:
        before, after = data[match.start() - 1:match.start()], data[match.end():match.end() + 1]
        return "" if "\n" in match.group() and _CJK.match(before) and _CJK.match(after) else " "
    return _SPACE_RUN.sub(one, data)


class _Canonical(HTMLParser):
    """Writes allowlisted tags (and digit colspan/rowspan) and escaped text only; puts loose
    top-level text and inline tags into a <p>, and loose list items into a <ul>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.wrapper: str | None = None

    def _wrap(self, tag: str) -> None:
        if self.open or self.wrapper == tag:
            return
        self._unwrap()
        self.wrapper = tag
        self.out.append(f"<{tag}>")

    def _unwrap(self) -> None:
        if self.wrapper:
            self.out.append(f"</{self.wrapper}>")
            self.wrapper = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            return
        if not self.open and (tag in INLINE_TAGS or tag == "br"):
            self._wrap("p")
        elif not self.open and tag == "li":
            self._wrap("ul")
        elif not self.open:
            self._unwrap()
        spans = "".join(f' {name}="{_span(value or "")}"' for name, value in attrs
                        if name in SPAN_ATTRIBUTES and tag in ("th", "td") and _span(value or ""))
        self.out.append(f"<{tag}{spans}>")
        if tag != "br":
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag != "br":
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open:
                name = self.open.pop()
                self.out.append(f"</{name}>")
                if name == tag:
                    break

    def handle_data(self, data: str) -> None:
        text = _collapse(data)
        if not self.open and self.wrapper != "p" and not text.strip(" \u00a0"):
            return
        if not self.open:
            self._wrap("p")
        self.out.append(escape(text, quote=False))

    def result(self) -> str:
        self.close()
        if self.open:
            self.handle_endtag(self.open[0])
        self._unwrap()
        html = "".join(self.out)
        previous = None
        while previous != html:
            previous = html
            html = _SPACE_AT_BLOCK.sub(r"\1", _EMPTY_INLINE.sub(r"\2", html))
            html = _EMPTY_BLOCK.sub("", _TRAILING_BREAKS.sub(r"\1", html))
        return html.strip()


def _canonical(sanitized: str) -> str:
    writer = _Canonical()
    writer.feed(sanitized)
    return writer.result()


class _TextReader(HTMLParser):
    """Text of HTML: a line break after each block and <br>, a tab after each cell; no script or style."""

    LINE_ENDS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "div", "ul", "ol", "table"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0
        self.in_cell = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.hidden += 1
        elif tag in ("td", "th"):
            self.in_cell += 1
        elif tag == "br":
            self.parts.append(" " if self.in_cell else "\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in ("td", "th"):
            self.in_cell = max(0, self.in_cell - 1)
            self.parts.append("\t")
        elif tag in self.LINE_ENDS:
            self.parts.append(" " if self.in_cell and tag != "tr" else "\n")  # a cell stays on its row

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(_collapse(data.replace("\u00a0", " ")))
