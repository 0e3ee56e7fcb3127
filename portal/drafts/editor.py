"""How the workspace edits one record type: its form, and how a draft's fields reach its services.

Each domain package that staff edit has an `editing.py` with an `EDITOR`; the registry names the
module (RecordType.editor), so the staff and committee pages are built from the registry.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from portal.kernel.transaction import Actor, Backend

Fields = dict[str, str]
# The bytes of the files a draft keeps (field name → content), read back at publication.
Files = Mapping[str, bytes]


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

    def title(self, fields: Mapping[str, str]) -> str:
        """How lists name a draft: its number and title or name, as far as they are filled in."""
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


def choices(words: Mapping[str, str]) -> list[tuple[str, str]]:
    """A select field's options from a domain's value → Chinese word mapping."""
    return list(words.items())


def fields_of(data: Any) -> Fields:
    """A service input (dataclass) as a draft's text fields, to prefill a form."""
    return {k: "" if v is None else str(v) for k, v in dataclasses.asdict(data).items()
            if not isinstance(v, (bytes, list, dict))}
