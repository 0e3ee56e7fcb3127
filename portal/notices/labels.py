"""Chinese words of the notice pages."""
from __future__ import annotations

from portal.kernel.history import COMMON_LABELS

NOTICE_CATEGORY = {"tender": "招租公告", "finance": "财务公开", "affairs": "村务公告", "other": "其他公告"}


NOTICE_STATUS = {"active": "有效", "withdrawn": "已撤回"}

FIELDS = COMMON_LABELS | {"category": "类别", "body": "正文", "published_on": "发布日期"}
