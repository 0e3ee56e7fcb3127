"""Which editor a draft uses: the registry's record types, and the file imports of no one type."""
from __future__ import annotations

import importlib
from typing import Any

from portal.drafts.editor import Editor
from portal.kernel.errors import NotFound
from portal.kernel.messages import say
from portal.kernel.transaction import Backend

VERBS = {"create": "新建", "correct": "更正", "withdraw": "撤回", "import": "导入"}


# Drafts of no one record type, by their own editor: a whole village ledger (parcels, contracts
# and receipts in one file) is imported as one draft, approved once.
FILE_IMPORTS = {"ledger": "portal.imports.editing"}


def editor_of(backend: Backend, entity: str) -> Editor:
    """The editor the registry names for `entity`; NotFound when staff cannot edit that type here."""
    record_type = backend.registry.get(entity)
    if record_type is None or record_type.editor is None:
        raise NotFound(say("不能在此编辑“%(entity)s”", entity=entity))
    editor: Editor = importlib.import_module(record_type.editor).EDITOR
    return editor


def draft_editor(backend: Backend, entity: str) -> Editor:
    """The editor of a draft of `entity`: a record type's, or that of a file import."""
    if backend.registry.get(entity) is None and entity in FILE_IMPORTS:
        editor: Editor = importlib.import_module(FILE_IMPORTS[entity]).EDITOR
        return editor
    return editor_of(backend, entity)


def kind_name(backend: Backend, entity: str) -> str:
    """What a draft is of, in Chinese: the record type's name (合同), or the editor's (台账)."""
    if backend.registry.get(entity) is None and entity in FILE_IMPORTS:
        return draft_editor(backend, entity).name
    return backend.registry.name(entity)


def editable_types(backend: Backend) -> list[tuple[str, str]]:
    """(entity, Chinese name) of every record type staff can create here, in registry order."""
    return [(t.entity, t.name) for t in backend.registry if t.editor is not None]


def importable_types(backend: Backend) -> list[tuple[str, str]]:
    """(entity, Chinese name) of every record type staff can import a file of (Editor.batch)."""
    return [(entity, name) for entity, name in editable_types(backend) if editor_of(backend, entity).batch]


class VerbNames(dict[str, str]):
    """Every draft verb's Chinese word: the common ones and those the editors add (解除, …).
    Two record types may give one verb different words (a dividend plan's pay is 发放, an
    entrustment's 支付流转租金): `of(entity, verb)` says the record type's own."""

    def __init__(self, common: dict[str, str], own: dict[tuple[str, str], str]) -> None:
        super().__init__(common)
        self.own = own

    def of(self, entity: str, verb: str) -> str:
        return self.own.get((entity, verb)) or self.get(verb, verb)


def verb_names(backend: Backend) -> VerbNames:
    own = {(entity, verb): spec.name for entity, _ in editable_types(backend)
           for verb, spec in editor_of(backend, entity).verbs.items()}
    return VerbNames(dict(VERBS) | {verb: name for (_, verb), name in own.items()}, own)


def form_of(editor: Editor, verb: str) -> type[Any]:
    """The form a draft of `verb` fills in: the record's own, or that of an editor's further verb."""
    return editor.verbs[verb].form if verb in editor.verbs else editor.form
