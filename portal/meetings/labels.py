"""Chinese words of the meeting pages."""
from __future__ import annotations

from portal.kernel.history import COMMON_LABELS

MEETING_KIND = {"representatives": "村民代表会议", "villagers": "村民会议", "major": "三重一大决策会议"}
MEETING_STATUS = {"active": "有效", "withdrawn": "已撤回"}

FIELDS = COMMON_LABELS | {
    "held_on": "会议日期", "kind": "会议类型", "title": "议题", "expected": "应到人数", "present": "实到人数",
    "agenda": "议程", "votes_for": "赞成", "votes_against": "反对", "abstained": "弃权",
    "decision": "决议", "minutes_sha256": "会议记录扫描件",
}
