"""How the workspace edits one record type: its form, and how a draft's fields reach its services.

Each domain package that staff edit has an `editing.py` with an `EDITOR`; the registry names the
module (RecordType.editor), so the staff and committee pages are built from the registry.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# WTForms 3.3 wants options as SelectChoice (tuples are deprecated); its stubs predate the class.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]

from portal.kernel.transaction import Actor, Backend

Fields = dict[str, str]
# The bytes of the files a draft keeps (field name → content), read back at publication.
Files = Mapping[str, bytes]


@dataclass(frozen=True)
class Act:
    """A verb of a domain's own on a published record (通过 a plan), drafted and approved like a
    correction: `form` asks what it needs besides the reason; `run(backend, actor, code, target,
    fields, reason)` is the service; `statuses` are the record statuses it applies to (empty: any)."""

    label: str
    form: type[Any]
    run: Callable[[Backend, Actor, str, str, Fields, str], Any]
    statuses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Editor:
    """The workspace's view of one record type.

    `to_input` turns a draft's fields (and files) into the service's input dataclass; `create`,
    `correct` and `withdraw` are the domain's services (None: staff cannot do that here);
    `current` gives a published record's fields, to prefill a correction.
    """

    entity: str
    form: type[Any]                                   # a FlaskForm subclass
    to_input: Callable[[Fields, Files], Any]
    create: Callable[[Backend, Actor, str, Any], Any]
    current: Callable[[Backend, str, str], Fields]
    correct: Callable[[Backend, Actor, str, str, Any, str], Any] | None = None
    withdraw: Callable[[Backend, Actor, str, str, str], Any] | None = None
    template: str = "workspace/_fields.html"         # how the form's fields are laid out
    file_fields: tuple[str, ...] = ()                # fields holding an upload
    number_field: str = "number"
    acts: Mapping[str, Act] = field(default_factory=dict)  # verbs beyond correct and withdraw
    # Fills the form's choices from the village's records (a receipt's contracts): (form, backend, code).
    prepare: Callable[[Any, Backend, str], None] | None = None
    # For records not named by one unique number (a vote: "FA-2026-001/1"): how a published
    # record's logged public state names it as a draft target, and its public state by target.
    target_of: Callable[[Mapping[str, Any]], str] | None = None
    find_state: Callable[[Backend, str, str], dict[str, Any] | None] | None = None
    describe: Callable[[Mapping[str, str]], str] | None = None  # a draft's title, when not number + title
    # Words for stored values in the diff a committee member approves: {"status": {"open": "公示中"}}.
    value_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def form_for(self, verb: str) -> type[Any]:
        """The form a draft of `verb` fills in: the record's, or an act's own."""
        return self.acts[verb].form if verb in self.acts else self.form

    def title(self, fields: Mapping[str, str]) -> str:
        """How lists name a draft: its number and title or name, as far as they are filled in."""
        if self.describe is not None:
            return self.describe(fields)[:200] or "（未填写）"
        parts = [fields.get(self.number_field, ""), fields.get("title") or fields.get("name", "")]
        return " ".join(p for p in parts if p)[:200] or "（未填写）"


def dataclass_input(input_type: type[Any], **convert: Callable[[str], Any]) -> Callable[[Fields, Files], Any]:
    """`to_input` for a service input whose fields the form names alike: each field's text, through
    `convert[name]` where given; a field the form lacks takes the dataclass's default."""
    def to_input(fields: Fields, files: Files) -> Any:
        values: dict[str, Any] = {}
        for spec in dataclasses.fields(input_type):
            if spec.name in files:
                values[spec.name] = files[spec.name]
            elif spec.name in fields:
                raw = fields[spec.name]
                values[spec.name] = convert[spec.name](raw) if spec.name in convert else raw
        return input_type(**values)
    return to_input


def choices(words: Mapping[str, str]) -> list[Any]:
    """A select field's options (SelectChoice) from a domain's value → Chinese word mapping."""
    return [SelectChoice(value, label) for value, label in words.items()]


def fields_of(data: Any) -> Fields:
    """A service input (dataclass) as a draft's text fields, to prefill a form."""
    return {k: "" if v is None else str(v) for k, v in dataclasses.asdict(data).items()
            if not isinstance(v, (bytes, list, dict))}
