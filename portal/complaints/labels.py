"""Chinese words of the complaint pages and their history."""
from __future__ import annotations

from portal.kernel.history import COMMON_LABELS, ROLES

KIND = {"complaint": "投诉", "comment": "意见建议"}
COMPLAINT_STATUS = {"waiting": "待分派", "assigned": "待答复", "answered": "已答复，待村民确认",
                    "resolved": "已解决", "reopened": "村民认为未解决，重新办理"}
VERDICT = {"yes": "已解决", "no": "没有解决"}
FIELDS = COMMON_LABELS | {
    "kind": "类别", "about": "涉及的记录", "filer": "反映人", "body": "内容", "filed_on": "提交日期",
    "due_on": "答复期限", "assignee_role": "承办人", "assigned_on": "分派日期", "reply": "答复",
    "replied_at": "答复时间", "replied_by": "答复人", "feedback": "村民意见", "feedback_on": "村民确认日期",
    "round": "办理轮次",
}
# Coded values in words, for the committee's audit log (RecordType.values).
VALUES = {"kind": KIND, "status": COMPLAINT_STATUS, "assignee_role": ROLES, "replied_by": ROLES}
# The forms' labels and hints (portal/complaints/forms.py), shown through `translate`.
FORM = {
    "kind": "类别",
    "body": "反映的问题",
    "body_hint": "写清楚是什么事、在哪里、什么时候。全文公开，不要写身份证号和手机号",
    "name": "姓名（可不填）",
    "name_hint": "不填即为匿名；填写的话，公开时只显示姓氏和末字（张*华）",
    "phone": "联系电话（可不填）",
    "phone_hint": "只给监委会联系您用，不会公开",
    "resolved": "问题解决了吗",
    "note": "您的意见",
    "note_hint": "没有解决的，请写明哪里还没有解决；会公开，不要写身份证号和手机号",
    "assignee": "承办人",
    "choose": "（请选择）",
    "reply": "答复内容",
    "reply_hint": "答复会公开，署名为监委会成员；不要写身份证号和手机号",
}
