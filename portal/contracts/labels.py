"""Chinese words of the contract pages: states, lessee kinds, rent units."""
from __future__ import annotations


CONTRACT_STATUS = {"active": "履行中", "ended": "已到期", "terminated": "已解除", "withdrawn": "已撤回"}


LESSEE_KIND = {"company": "企业/合作社", "person": "个人"}


RENT_UNIT = {"mu_year": "元/亩/年", "m2_month": "元/㎡/月"}


INSTALMENT_STATES = {"paid": "已缴清", "partly": "部分缴纳", "overdue": "逾期", "due": "今日到期",
                     "future": "未到期"}
