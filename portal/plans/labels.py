"""Chinese words of the plan pages."""
from __future__ import annotations

from portal.kernel.history import COMMON_LABELS, ROLES

PLAN_STATE = {"upcoming": "尚未开始征求意见", "open": "正在征求意见", "closed": "征求意见已结束",
              "adopted": "已通过", "withdrawn": "已撤回"}


PLAN_STATUS = {"open": "公示中", "adopted": "已通过", "withdrawn": "已撤回"}  # as stored; PLAN_STATE as shown


COMMENT_STATUS = {"visible": "有效", "withdrawn": "已撤回"}


REPLIER = {role: ROLES[role] for role in ("staff", "committee")}

PLAN_FIELDS = COMMON_LABELS | {
    "body": "正文", "comment_from": "征求意见开始", "comment_until": "征求意见截止",
    "adopted_on": "通过日期",
}
COMMENT_FIELDS = COMMON_LABELS | {
    "plan": "方案", "commenter": "提意见人", "group": "所在小组/户", "submitted_on": "提出日期", "body": "正文",
    "reply": "答复", "replied_on": "答复日期", "replied_by": "答复人", "on_behalf": "代录说明",
}
VOTE_FIELDS = COMMON_LABELS | {
    "plan": "方案", "meeting": "会议", "question": "表决事项", "held_on": "表决日期", "eligible": "应参加表决人数",
    "yes": "同意", "no": "反对", "abstain": "弃权", "result": "表决结果", "forms_sha256": "签字表决表扫描件",
}
# A comment's coded values in words, for the committee's audit log (RecordType.values).
COMMENT_VALUES = {"status": COMMENT_STATUS, "replied_by": REPLIER}
