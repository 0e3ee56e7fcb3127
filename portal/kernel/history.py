"""A record's versions as readable changes: field by field, with Chinese labels."""
from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from portal.kernel.messages import Message

# Fields most record types have; each record type adds its own (RecordType.labels).
COMMON_LABELS = {"number": "编号", "title": "名称", "name": "名称", "note": "备注", "status": "状态"}
PRIVATE_LABEL = "个人信息（不公开，仅记录其哈希）"
ACTIONS = {"create": "新建", "correct": "更正", "withdraw": "撤回", "terminate": "解除", "reply": "答复",
           "adopt": "通过", "reset_password": "重设密码", "disable": "停用", "enable": "启用",
           "change_password": "修改密码", "assign": "分派", "resolve": "确认已解决", "reopen": "确认未解决",
           "erase": "删除个人信息", "answer": "答疑", "register": "报名", "deposit": "保证金",
           "bid": "出价", "commit": "密封报价", "open": "开标", "reveal": "开启报价", "close": "竞价结束",
           "award": "成交公告", "object": "异议", "pay": "发放", "declare": "申报营业收入", "revoke": "吊销",
           "rectify": "开始整改", "signoff": "销号", "landmark": "修改地标"}
OWN_ACTIONS = {"entrustment.pay": "支付流转租金"}  # a record type's own word for a shared verb
ROLES = {"staff": "村干部", "committee": "监委会成员", "township": "镇干部", "system": "系统",
         "villager": "村民"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Version:
    seq: int
    ts: str
    role: str
    action: str
    version: int | None
    reason: str | None
    hash: str
    changes: list[FieldChange]


def in_words(change: FieldChange, words: Mapping[str, str]) -> FieldChange:
    """`change` with coded values ("mu", "active") as the words for them (亩, 有效), each a
    message, so that a page in English shows the reader's word; an uncoded value stays as it is."""
    def word(value: Any) -> Any:
        return Message(words[value]) if isinstance(value, str) and value in words else value
    return replace(change, before=word(change.before), after=word(change.after))


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """{"rent": {"rate": "1"}} → {"rent.rate": "1"}; lists stay whole values."""
    if not isinstance(data, dict):
        return {prefix: data}
    flat: dict[str, Any] = {}
    for key, value in data.items():
        flat.update(flatten(value, f"{prefix}.{key}" if prefix else key))
    return flat


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None,
         labels: Mapping[str, str] = COMMON_LABELS) -> list[FieldChange]:
    old, new = flatten(before or {}), flatten(after or {})
    return [FieldChange(key, labels.get(key, key), old.get(key), new.get(key))
            for key in sorted(old.keys() | new.keys()) if old.get(key) != new.get(key)]


def versions(entries: list[dict[str, Any]], labels: Mapping[str, str] = COMMON_LABELS) -> list[Version]:
    """Entries of one record, oldest first, as versions with what each changed."""
    result: list[Version] = []
    previous: dict[str, Any] = {"data": None, "private": None}
    for entry in entries:
        role = entry["actor"].split(":", 1)[0]
        verb = entry["action"].rsplit(".", 1)[-1]
        changes = diff(previous["data"], entry["data"], labels)
        if previous["data"] is not None and previous["private"] != entry["private"]:
            # The values stay private; that they changed is public.
            changes.append(FieldChange("private", PRIVATE_LABEL, "原值", "已更改"))
        result.append(Version(entry["seq"], entry["ts"], ROLES.get(role, role), OWN_ACTIONS.get(entry["action"]) or ACTIONS.get(verb, verb),
                              entry["version"], entry["reason"], entry["hash"], changes))
        previous = entry
    return result


def line_diff(before: Any, after: Any) -> list[tuple[str, str]]:
    """The lines a long text lost ("del") and gained ("ins"), in order; unchanged and blank lines left out."""
    old, new = str(before or "").splitlines(), str(after or "").splitlines()
    ops = {"- ": "del", "+ ": "ins"}
    return [(ops[line[:2]], line[2:]) for line in difflib.ndiff(old, new) if line[:2] in ops and line[2:].strip()]
