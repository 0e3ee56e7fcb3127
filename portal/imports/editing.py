"""A village ledger file as ONE draft: checked whole when staff submit it, approved once by the
committee, then published as one audited batch from the very file that was checked.

The file is kept by its SHA-256 with the draft (`fields["file"]`); the draft's batch lists each
record it holds (kind, number, place in the file, names masked as the committee sees drafts),
and publishing reads the kept bytes again, so what is published is what was checked and approved.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NoReturn

from flask_wtf import FlaskForm
from wtforms import TextAreaField

from portal.contracts.services import ContractInput
from portal.drafts import uploads
from portal.drafts.editor import Batch, Editor, Fields, Files
from portal.imports.columns import LABELS, KINDS
from portal.imports.parse import parse_file
from portal.imports.preview import day_text, money_text
from portal.imports.rows import Row
from portal.imports.services import import_batch
from portal.kernel.errors import NotFound, ValidationError
from portal.kernel.messages import say
from portal.kernel.privacy import mask_name
from portal.kernel.transaction import Actor, Backend
from portal.receipts.services import ReceiptInput

ENTITY = "ledger"
NAMES = {ENTITY: "台账"}  # what drafts of it are called (for the English catalog too)


class LedgerFileForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    """The draft's one field besides the file: the reason logged with every record."""

    reason = TextAreaField("导入原因")


def _about(row: Row) -> dict[str, str]:
    """A record's few telling facts (a person's name masked): its name and what it is about."""
    record = row.record
    if isinstance(record, ContractInput):
        lessee = mask_name(record.lessee_name) if record.lessee_kind == "person" else record.lessee_name
        return {"name": lessee, "start": day_text(record.start_date), "end": day_text(record.end_date)}
    if isinstance(record, ReceiptInput):
        person = record.payer_is_person not in (False, "", "false")
        return {"name": mask_name(record.payer_name) if person else record.payer_name,
                "amount": money_text(record.amount)}
    return {"name": record.name, "area": str(record.area)}


def summaries(rows: Sequence[Row]) -> list[Fields]:
    """Each record of a checked file, as the draft lists it."""
    return [{"kind": row.kind, "number": row.record.number, "sheet": row.sheet, "line": str(row.line),
             **_about(row)} for row in rows]


def describe(fields: Mapping[str, str]) -> str:
    """合同 IM-HT-001 · 张*，2020-01-01 至 2029-12-31（第 2 行）, in the reader's language on a page."""
    kind = KINDS[fields["kind"]].label if fields.get("kind") in KINDS else ""
    facts = {"kind": kind, "number": fields.get("number", ""), "name": fields.get("name", ""),
             "line": fields.get("line", ""), "sheet": fields.get("sheet", "")}
    if "start" in fields:
        about = say("%(name)s，%(start)s 至 %(end)s",
                    name=facts["name"], start=fields["start"], end=fields.get("end", ""))
    elif "amount" in fields:
        about = say("%(name)s，%(amount)s 元", name=facts["name"], amount=fields["amount"])
    else:
        about = say("%(name)s，%(area)s 亩", name=facts["name"], area=fields.get("area", ""))
    if facts["sheet"]:
        return say("%(kind)s %(number)s · %(about)s（“%(sheet)s”表第 %(line)s 行）", about=about, **facts)
    return say("%(kind)s %(number)s · %(about)s（第 %(line)s 行）", about=about, **facts)


def publish_file(backend: Backend, actor: Actor, code: str, _rows: list[Any], reason: str, fields: Fields) -> Any:
    """Reads the kept file again and imports it as one audited batch (checked again as it is
    written: BatchRefused names every problem when the village changed since the check)."""
    kind = fields.get("kind", "")
    if kind not in LABELS:
        raise ValidationError({"file": say("草稿没有写明导入的种类")})
    data = uploads.read(backend.files_dir, fields.get("file", ""))
    parsed = parse_file(data, kind)
    if parsed.problems or not parsed.rows:
        raise ValidationError({"file": say("保存的导入文件读不出来：请删除这份草稿，重新导入")})
    return import_batch(backend, actor, code, kind, parsed.rows, reason)


def _read(_backend: Backend, _code: str, _content: bytes, _options: Fields) -> list[Fields]:
    raise NotFound(say("整套台账在“导入历史台账”页面上传"))  # the imports pages check and keep the file


def _never(*_args: Any) -> NoReturn:
    raise NotFound(say("台账导入的草稿只能整份提交、批准或删除"))


def _to_input(fields: Fields, _files: Files) -> Fields:
    return fields


EDITOR = Editor(ENTITY, LedgerFileForm, _to_input, _never, _never, describe=describe, name=NAMES[ENTITY],
                batch=Batch(LedgerFileForm, _read, publish_file))
