"""Every label, hint and option of the forms people fill in, and the editors' preview buttons,
for the English catalog (vocabularies.txt): the templates show them through `translate`, so
each must have its English."""
from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Iterator

from flask_wtf import FlaskForm
from wtforms.fields.core import UnboundField

from portal.kernel.messages import Message

SKIPPED = ("portal.wsgi",)  # builds an app when imported


def _subclasses(cls: type) -> Iterator[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def form_words() -> list[str]:
    import portal

    # Every module, so that every form is defined whichever were imported before.
    for info in pkgutil.walk_packages(portal.__path__, "portal."):
        if info.name not in SKIPPED:
            importlib.import_module(info.name)
    words: set[str] = set()
    for form in _subclasses(FlaskForm):
        if not form.__module__.startswith("portal."):
            continue
        for value in vars(form).values():
            if isinstance(value, UnboundField):
                label = value.args[0] if value.args else value.kwargs.get("label")
                options = [getattr(choice, "label", None) for choice in value.kwargs.get("choices") or ()]
                for word in (label, value.kwargs.get("description"), *options):
                    # A Message (第 3 块 地块编号) is in the catalog by its pattern.
                    if isinstance(word, str) and word.strip() and not isinstance(word, Message):
                        words.add(word)
    from portal.drafts.editor import Editor

    for module in list(sys.modules.values()):  # each record type's editor: its preview button
        editor = getattr(module, "EDITOR", None)
        if isinstance(editor, Editor):
            words.add(editor.preview_label)
    return sorted(words)


FORM_WORDS = form_words()
