"""Chinese words of the complaint pages and their history."""
from __future__ import annotations

from portal.kernel.history import COMMON_LABELS

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
