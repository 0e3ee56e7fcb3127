"""Chinese words of the plan pages."""
from __future__ import annotations

from portal.kernel.history import ROLES


PLAN_STATE = {"upcoming": "尚未开始征求意见", "open": "正在征求意见", "closed": "征求意见已结束",
              "adopted": "已通过", "withdrawn": "已撤回"}


PLAN_STATUS = {"open": "公示中", "adopted": "已通过", "withdrawn": "已撤回"}  # as stored; PLAN_STATE as shown


COMMENT_STATUS = {"visible": "有效", "withdrawn": "已撤回"}


REPLIER = {role: ROLES[role] for role in ("staff", "committee")}
