"""How the workspace edits one record type: its form, and how a draft's fields reach its services.

Each domain package that staff edit has an `editing.py` with an `EDITOR`; the registry names the
module (RecordType.editor), so the staff and committee pages are built from the registry.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# WTForms 3.3 wants options as SelectChoice (tuples are deprecated); its stubs predate the class.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]

from portal.kernel.history import FieldChange
from portal.kernel.transaction import Actor, Backend
from portal.translations import N_, Word

Fields = dict[str, str]
# The bytes of the files a draft keeps (field name → content), read back at publication.
Files = Mapping[str, bytes]
# The public states a rehearsal of a draft would log (one, or one per record of an import).
States = Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class Verb:
    """An act on a published record besides correcting and withdrawing it (解除 a contract, 通过 a plan):
    `form` asks its fields (besides the reason); `call(backend, actor, code, number, fields,
    reason)` is the service."""

    name: str                                         # the Chinese verb: 解除, 通过
    form: type[Any]
    call: Callable[[Backend, Actor, str, str, Fields, str], Any]
    hint: str = ""                                    # what it does, for the edit page
    statuses: tuple[str, ...] = ()                    # record statuses it applies to (empty: any)


@dataclass(frozen=True)
class Batch:
    """A file of many records (say, a village's parcel file) made into one import draft: once
    approved, `publish(backend, actor, code, inputs, reason, fields)` writes them in ONE audited
    change, one log entry per record, each with the draft's reason (`fields` are the draft's own:
    a ledger import finds its kept file there).

    `read(backend, code, content, options)` turns the uploaded file into each record's fields
    (the same fields the record's form sends, so `Editor.to_input` makes the service inputs),
    checking the whole file against the village's records: ValidationError with one message
    per bad record, named by its place and number (kernel.validate.RowErrors). `options` are
    the upload form's other fields (its `file` and `reason` left out).
    """

    form: type[Any]                                   # a FlaskForm with `file`, `reason` and options
    read: Callable[[Backend, str, bytes, Fields], list[Fields]]
    publish: Callable[[Backend, Actor, str, list[Any], str, Fields], Any]
    hint: str = ""                                    # what the file must look like


@dataclass(frozen=True)
class Editor:
    """The workspace's view of one record type.

    `to_input` turns a draft's fields (and files) into the service's input dataclass; `create`,
    `correct` and `withdraw` are the domain's services (None: staff cannot do that here);
    `current` gives a published record's fields, to prefill a correction.

    Optional: `preview(states)` gives the values `preview_template` shows of what publishing
    would log (a contract's payment schedule, a parcel's outline), on the edit page's 预览 and on
    the draft page the committee approves; `readable` rewrites a field change of the diff in
    words; `shown(fields, for_committee)` gives the fields as the draft page lists them
    (personal data masked for the committee, long values summed up); `context(backend, code)`
    gives the edit template more values (say, the village's parcels to pick from);
    `text_files` maps an upload field to the text field its content fills (a GeoJSON file
    instead of pasted text); `verbs` are further acts on published records; `batch` imports a
    file of many records as one draft; `name` names drafts of no one record type (a ledger
    import: 台账), which the registry cannot.
    """

    entity: str
    form: type[Any]                                   # a FlaskForm subclass
    to_input: Callable[[Fields, Files], Any]
    create: Callable[[Backend, Actor, str, Any], Any]
    current: Callable[[Backend, str, str], Fields]
    correct: Callable[[Backend, Actor, str, str, Any, str], Any] | None = None
    withdraw: Callable[[Backend, Actor, str, str, str], Any] | None = None
    template: str = "workspace/_fields.html"         # how the form's fields are laid out
    file_fields: tuple[str, ...] = ()                # fields holding an upload (the record's form's or a verb's)
    number_field: str = "number"
    verbs: Mapping[str, Verb] = field(default_factory=dict)  # acts beyond correct and withdraw
    preview: Callable[[States], Mapping[str, Any]] | None = None
    preview_template: str = ""
    preview_label: str = N_("预览")                        # its button on the edit page
    print_template: str = ""                          # the preview on a printed draft (Chinese only)
    readable: Callable[[FieldChange], FieldChange] | None = None
    shown: Callable[[Fields, bool], Fields] | None = None
    context: Callable[[Backend, str], Mapping[str, Any]] | None = None
    text_files: Mapping[str, str] = field(default_factory=dict)
    batch: Batch | None = None
    # Fills the form's choices from the village's records (a receipt's contracts): (form, backend, code).
    prepare: Callable[[Any, Backend, str], None] | None = None
    # For records not named by one unique number (a vote: "FA-2026-001/1"): how a published
    # record's logged public state names it as a draft target, and its public state by target.
    target_of: Callable[[Mapping[str, Any]], str] | None = None
    find_state: Callable[[Backend, str, str], dict[str, Any] | None] | None = None
    describe: Callable[[Mapping[str, str]], str] | None = None  # a draft's title, when not number + title
    # Words for stored values in the diff a committee member approves: {"status": {"open": "公示中"}}.
    value_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    name: str = ""
    # A page of the record's own for acts logged as they happen, not held as drafts (a tender's
    # live bidding): its endpoint (taking `number`) and its link's words on the records list.
    desk: tuple[str, str] | None = None
    # A word the records list shows beside a published record, from its logged public state
    # (a contract's lease kind: 固定租金, 保底加分成, 无偿使用); translated on the page.
    label: Callable[[Mapping[str, Any]], str] | None = None

    def title(self, fields: Mapping[str, str]) -> str:
        """How lists name a draft: its number and title or name, as far as they are filled in."""
        if self.describe is not None:  # a Message stays one (translated on the page) unless cut
            described = self.describe(fields)
            return (described if len(described) <= 200 else described[:200]) or "（未填写）"
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
    """A select field's options (SelectChoice) from a domain's value → Chinese word mapping,
    each shown in the reader's language."""
    return [SelectChoice(value, Word(label)) for value, label in words.items()]


def fields_of(data: Any) -> Fields:
    """A service input (dataclass) as a draft's text fields, to prefill a form."""
    return {k: "" if v is None else str(v) for k, v in dataclasses.asdict(data).items()
            if not isinstance(v, (bytes, list, dict))}
