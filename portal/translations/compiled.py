"""Templates compiled once per language: the templates' own words are translated when a template
is compiled, not on every request.

A page's fixed words (`_('合同公开')`, `pgettext('栏目', '合同')`) were looked up in the catalog on
every request, through a Jinja call, the request's translations and a new Markup each: a tenth of
an uncached list page's time. Here each template is compiled once for Chinese (its source
language) and once for English, and a call of `_()`, `gettext()` or `pgettext()` whose message is
a literal becomes that literal in the template's language. What it becomes is exactly what the
call returned: Markup where the template autoescapes, %-formatted with its keyword arguments (which
stay expressions, escaped at render time as before). A call whose message is not a literal
(`_(label)`), `ngettext()`, and the `translate` filter stay calls.

A template's language is in its name: "en:public/contracts.html" is the English compilation of
public/contracts.html. `get_template` of a plain name picks the language of the current request
(`in_english`, as every string of the request does); a template that extends, includes or imports
another passes its language on (`join_path`). Outside a request, templates are Chinese.
"""
from __future__ import annotations

import gettext
from collections.abc import Callable, Iterable, MutableMapping
from functools import cached_property
from typing import Any

from flask import has_request_context
from flask.templating import Environment as FlaskEnvironment
from jinja2 import BaseLoader, Template, nodes
from jinja2.visitor import NodeTransformer

ENGLISH_PREFIX = "en:"
LANGUAGE_PREFIXES = ("", ENGLISH_PREFIX)  # Chinese, English
# Names of the templates' gettext globals (portal.translations.install_gettext): how each call's
# literal message is looked up, and the values it is %-formatted with besides its own keywords.
_GETTEXT = ("_", "gettext")
_PGETTEXT = "pgettext"


def language_prefix() -> str:
    """The prefix of the current reader's compilation: English or "" (Chinese)."""
    if not has_request_context():
        return ""
    from portal.translations import in_english

    return ENGLISH_PREFIX if in_english() else ""


def split_language(name: str) -> tuple[str, str]:
    """("en:", "base.html") for "en:base.html"; ("", "base.html") for "base.html"."""
    if name.startswith(ENGLISH_PREFIX):
        return ENGLISH_PREFIX, name[len(ENGLISH_PREFIX):]
    return "", name


def source_name(name: str | None) -> str:
    """The template's file name, whichever language it was compiled for ("" for a string)."""
    return split_language(name or "")[1]


class LanguageLoader(BaseLoader):
    """Flask's loader, for names with a language prefix: the source is the same file."""

    def __init__(self, loader: BaseLoader) -> None:
        self.loader = loader

    def get_source(self, environment: Any, template: str) -> tuple[str, str | None, Callable[[], bool] | None]:
        return self.loader.get_source(environment, split_language(template)[1])

    def list_templates(self) -> list[str]:
        return self.loader.list_templates()


class _MessageFolder(NodeTransformer):
    """Replaces literal gettext calls by their translation (see the module's docstring)."""

    def __init__(self, translations: gettext.NullTranslations) -> None:
        self.translations = translations

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        self.generic_visit(node)
        callee = node.node
        if (not isinstance(callee, nodes.Name) or node.dyn_args is not None or node.dyn_kwargs is not None
                or not all(isinstance(arg, nodes.Const) and isinstance(arg.value, str) for arg in node.args)):
            return node
        words = [arg.value for arg in node.args if isinstance(arg, nodes.Const)]
        if callee.name in _GETTEXT and len(words) == 1:
            translated, implied = self.translations.gettext(words[0]), {}
        elif callee.name == _PGETTEXT and len(words) == 2:
            translated, implied = self.translations.pgettext(words[0], words[1]), {"context": words[0]}
        else:
            return node
        if not node.kwargs:
            try:
                return nodes.MarkSafeIfAutoescape(nodes.Const(translated % implied), lineno=node.lineno)
            except (KeyError, TypeError, ValueError):
                return node  # a placeholder without its value: the call raises, as before
        variables = {**{key: nodes.Const(value) for key, value in implied.items()},
                     **{keyword.key: keyword.value for keyword in node.kwargs}}
        pairs = [nodes.Pair(nodes.Const(key), value, lineno=node.lineno) for key, value in variables.items()]
        return nodes.Mod(nodes.MarkSafeIfAutoescape(nodes.Const(translated), lineno=node.lineno),
                         nodes.Dict(pairs, lineno=node.lineno), lineno=node.lineno)


def fold_messages(tree: nodes.Template, translations: gettext.NullTranslations) -> nodes.Template:
    """`tree` with its literal gettext calls translated by `translations`, unless a template
    binds one of the gettext names itself (then that template is left as it is)."""
    bound = {target.name for target in tree.find_all(nodes.Name) if target.ctx in ("store", "param")}
    bound |= {target.target for target in tree.find_all(nodes.Import)}
    bound |= {name if isinstance(name, str) else name[1] for found in tree.find_all(nodes.FromImport)
              for name in found.names}
    if bound & {*_GETTEXT, _PGETTEXT}:
        return tree
    folded: nodes.Template = _MessageFolder(translations).visit(tree)
    return folded


class LanguageEnvironment(FlaskEnvironment):
    """Flask's Jinja environment, with each template compiled per language."""

    fold_messages = True  # False: every message looked up when rendered (tests compare the two)

    def __init__(self, app: Any, **options: Any) -> None:
        super().__init__(app, **options)
        self.loader = LanguageLoader(self.loader)  # type: ignore[arg-type]

    @cached_property
    def english(self) -> gettext.NullTranslations:
        from babel.support import Translations

        from portal.translations import HERE

        return Translations.load(str(HERE), ["en"])

    def catalog_for(self, name: str | None) -> gettext.NullTranslations:
        """English for an "en:" name; for Chinese, the source language, the message itself."""
        return self.english if split_language(name or "")[0] else gettext.NullTranslations()

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        return fold_messages(tree, self.catalog_for(name)) if self.fold_messages else tree

    def join_path(self, template: str, parent: str) -> str:
        prefix = split_language(parent)[0]
        return template if split_language(template)[0] else prefix + template

    def _in_language(self, name: str | Template) -> str | Template:
        if isinstance(name, Template) or split_language(name)[0]:
            return name
        return language_prefix() + name

    def get_template(self, name: str | Template, parent: str | None = None,
                     globals: MutableMapping[str, Any] | None = None) -> Template:
        if parent is None:
            name = self._in_language(name)
        return super().get_template(name, parent, globals)

    def select_template(self, names: Iterable[str | Template], parent: str | None = None,
                        globals: MutableMapping[str, Any] | None = None) -> Template:
        if parent is None:
            names = [self._in_language(name) for name in names]
        return super().select_template(names, parent, globals)
