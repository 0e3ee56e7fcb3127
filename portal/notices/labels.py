"""Chinese words of the notice pages."""
from __future__ import annotations


NOTICE_CATEGORY = {"tender": "招租公告", "finance": "财务公开", "affairs": "村务公告", "other": "其他公告"}


NOTICE_STATUS = {"active": "有效", "withdrawn": "已撤回"}
