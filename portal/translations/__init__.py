"""The English catalog (Chinese is the source language of every string).

en/LC_MESSAGES/messages.po is the source; its .mo is a build artefact (not in git), compiled
by `ensure_compiled` when the app starts whenever it is missing or older than the .po.

Strings reach the catalog three ways (babel.cfg): `_()`/`pgettext()` in templates; `_()`/`N_()`
and the services' `say()` (portal/kernel/messages.py) in Python; and the values of the Python dictionaries named in vocabularies.txt (status words,
field labels, …), which templates show through the `translate` filter.

After changing any of them, update the catalog and translate what is new (tests/test_english.py
fails while any message is untranslated or fuzzy):
    .venv/bin/pybabel extract -F babel.cfg --no-wrap --sort-by-file -o portal/translations/messages.pot .
    .venv/bin/pybabel update -i portal/translations/messages.pot -d portal/translations \
        --no-wrap --no-fuzzy-matching --ignore-obsolete
"""
from __future__ import annotations

import importlib
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g, has_app_context, has_request_context
from flask_babel import get_locale, get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from portal.kernel.messages import InContext, Message

HERE = Path(__file__).resolve().parent
VOCABULARIES = HERE / "vocabularies.txt"
log = logging.getLogger(__name__)


def N_(message: str) -> str:
    """Marks a string for extraction only; it is translated where it is shown."""
    return message


# The login form's labels and messages (portal.accounts.forms.LoginForm), shown translated by
# templates/auth/login.html; tests/test_english.py checks that they stay in step.
LOGIN_FORM = (N_("用户名"), N_("密码"), N_("请填写用户名"), N_("请填写密码"))
# Flashed messages that base.html shows translated (extensions.py, portal/accounts/views.py).
FLASHES = (N_("请先登录"), N_("已退出登录"))


def translate(value: Any) -> Any:
    """Jinja filter `translate`: a Chinese word that comes from Python (a status, a field label,
    see vocabularies.txt) in the reader's language. Unlike `_()` it never %-formats, and it
    leaves empty and non-string values alone."""
    if not isinstance(value, str) or not value:
        return value
    if isinstance(value, Message):  # a service's message: its pattern, with its values filled in
        return value.render(current_translations().ugettext)
    return current_translations().ugettext(value)


def translate_in(value: Any, context: str) -> Any:
    """Jinja filter `translate_in`: `translate`, but the catalog's entry for `value` in `context`
    first (msgctxt), where the same Chinese word is another English one: 新建 on a draft is
    "New", in the log "Created"."""
    if not isinstance(value, str) or not value or isinstance(value, Message):
        return translate(value)
    return translate(InContext(context, value))


class Word(str):
    """A Chinese word that HTML shows in the reader's language (markupsafe's `escape` asks for
    `__html__`): a select option's label, made once at import and shown per request; as a
    string it stays the Chinese word."""

    def __html__(self) -> Markup:
        return escape(translate(str(self)))


def current_translations() -> Any:
    """The translations of the current request (or app context), found once.

    Flask-Babel finds them anew for every string, through some ten context-local lookups: with
    ~80 strings a list page spent a fifth of its time there. Kept on `g`, beside Flask-Babel's
    own per-request locale, so it lives exactly as long as the locale it was chosen for.
    """
    if not has_app_context():
        return get_translations()
    found = g.get("_portal_translations")
    if found is None:
        found = g._portal_translations = get_translations()
    return found


def in_english() -> bool:
    """Whether the current request reads the pages in English; found once per request, as above."""
    if not has_request_context():
        return False
    found: bool | None = g.get("_portal_english")
    if found is None:
        locale = get_locale()
        found = g._portal_english = locale is not None and locale.language == "en"
    return found


def install_gettext(env: Any) -> None:
    """The templates' `_()`, `ngettext()`, `pgettext()` and `npgettext()` through
    `current_translations` (what Flask-Babel installs, minus the repeated lookups)."""
    env.install_gettext_callables(
        gettext=lambda s: current_translations().ugettext(s),
        ngettext=lambda s, p, n: current_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: current_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: current_translations().unpgettext(c, s, p, n),
    )
    # `_()` and `gettext()` called directly: Jinja's own pass through its alias and two
    # context calls for each of a page's ~20 strings. Same result: escaped, always %-formatted.
    env.globals["_"] = env.globals["gettext"] = _gettext


@pass_context
def _gettext(context: Context, string: str, **variables: Any) -> str:
    translated = current_translations().ugettext(string)
    if context.eval_ctx.autoescape:
        translated = Markup(translated)
    return translated % variables  # type: ignore[no-any-return]


def vocabulary_sources(path: Path = VOCABULARIES) -> list[tuple[int, str]]:
    """(line number, "module:NAME") of every source named in vocabularies.txt."""
    sources = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if line:
            sources.append((lineno, line))
    return sources


def vocabulary_words(source: str) -> list[str]:
    """The strings of one source: a dict's string values, a tuple's or list's strings, a str."""
    module, name = source.split(":", 1)
    value = getattr(importlib.import_module(module), name)
    items = value.values() if isinstance(value, dict) else [value] if isinstance(value, str) else value
    return [item for item in items if isinstance(item, str) and item]


def extract_vocabularies(fileobj: IO[bytes], keywords: object, comment_tags: object,
                         options: object) -> Iterator[tuple[int, str, str, list[str]]]:
    """pybabel extraction method for vocabularies.txt (babel.cfg): one message per word."""
    path = Path(getattr(fileobj, "name", VOCABULARIES))
    for lineno, source in vocabulary_sources(path):
        for word in vocabulary_words(source):
            yield lineno, "_", word, []


def ensure_compiled(directory: Path = HERE) -> list[Path]:
    """Compiles every <lang>/LC_MESSAGES/*.po whose .mo is missing or older; returns the .mo
    files written. Writes atomically (several processes may start at once); a read-only
    install only logs a warning."""
    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            with po_path.open("rb") as handle:
                catalog = read_po(handle, locale=po_path.parent.parent.name, domain=po_path.stem)
            fd, tmp = tempfile.mkstemp(dir=po_path.parent, prefix=".", suffix=".mo.tmp")
            try:
                with os.fdopen(fd, "wb") as handle:
                    write_mo(handle, catalog, use_fuzzy=False)
                os.chmod(tmp, 0o644)
                os.replace(tmp, mo_path)
            except BaseException:
                os.unlink(tmp)
                raise
        except OSError as exc:
            log.warning("could not compile %s: %s", po_path, exc)
            continue
        written.append(mo_path)
    return written
