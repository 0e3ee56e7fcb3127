"""A record's versions as readable changes: field by field, with Chinese labels."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LABELS = {
    "number": "编号", "title": "名称", "name": "名称", "lessee.kind": "承租方类型", "lessee.name": "承租方",
    "lessee.id_number": "证件号码", "assets": "地块/资产", "start_date": "起始日期", "end_date": "终止日期",
    "rent.rate": "租金单价", "rent.unit": "租金单位", "rent.escalation_percent": "递增比例（%）",
    "rent.escalation_every_years": "递增间隔（年）", "rent.interval_months": "缴款周期（月）",
    "schedule": "缴款计划", "signed_on": "签订日期", "note": "备注", "status": "状态", "amount": "金额",
    "received_on": "收款日期", "payer.name": "交款人", "payer.is_person": "交款人为个人", "contract": "合同",
    "scan_sha256": "凭证扫描件", "area": "面积", "kind": "类别", "land_type": "地类", "location": "位置",
    "polygon": "边界", "area_unit": "面积单位", "township": "乡镇", "county": "县（区）", "code": "编码",
    "is_demo": "演示数据", "username": "用户名", "role": "角色", "active": "启用",
    # notices, plans, comments, votes
    "category": "类别", "body": "正文", "published_on": "发布日期", "comment_from": "征求意见开始",
    "comment_until": "征求意见截止", "adopted_on": "通过日期", "plan": "方案", "commenter": "提意见人",
    "group": "所在小组/户", "submitted_on": "提出日期", "reply": "答复", "replied_on": "答复日期",
    "replied_by": "答复人", "meeting": "会议", "question": "表决事项", "held_on": "表决日期",
    "eligible": "应参加表决人数", "yes": "同意", "no": "反对", "abstain": "弃权", "result": "表决结果",
}
PRIVATE_LABEL = "个人信息（不公开，仅记录其哈希）"
ACTIONS = {"create": "新建", "correct": "更正", "withdraw": "撤回", "terminate": "解除", "reply": "答复",
           "adopt": "通过"}
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


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """{"rent": {"rate": "1"}} → {"rent.rate": "1"}; lists stay whole values."""
    if not isinstance(data, dict):
        return {prefix: data}
    flat: dict[str, Any] = {}
    for key, value in data.items():
        flat.update(flatten(value, f"{prefix}.{key}" if prefix else key))
    return flat


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[FieldChange]:
    old, new = flatten(before or {}), flatten(after or {})
    return [FieldChange(key, LABELS.get(key, key), old.get(key), new.get(key))
            for key in sorted(old.keys() | new.keys()) if old.get(key) != new.get(key)]


def versions(entries: list[dict[str, Any]]) -> list[Version]:
    """Entries of one record, oldest first, as versions with what each changed."""
    result, previous = [], {"data": None, "private": None}
    for entry in entries:
        role = entry["actor"].split(":", 1)[0]
        verb = entry["action"].rsplit(".", 1)[-1]
        changes = diff(previous["data"], entry["data"])
        if previous["data"] is not None and previous["private"] != entry["private"]:
            # The values stay private; that they changed is public.
            changes.append(FieldChange("private", PRIVATE_LABEL, "原值", "已更改"))
        result.append(Version(entry["seq"], entry["ts"], ROLES.get(role, role), ACTIONS.get(verb, verb),
                              entry["version"], entry["reason"], entry["hash"], changes))
        previous = entry
    return result
