"""Chinese words of the contract pages: states, lessee kinds, rent units."""
from __future__ import annotations

from portal.kernel.history import COMMON_LABELS

CONTRACT_STATUS = {"active": "履行中", "ended": "已到期", "terminated": "已解除", "withdrawn": "已撤回"}


CONTRACT_KIND = {"fixed": "固定租金", "revenue_share": "保底加分成", "rent_free": "无偿使用"}


LESSEE_KIND = {"company": "企业/合作社", "person": "个人"}


RENT_UNIT = {"mu_year": "元/亩/年", "m2_month": "元/㎡/月"}

# How often rent is paid (months → words), for the staff form's choices.
PAYMENT_INTERVAL = {"12": "每年一次", "6": "每半年一次", "3": "每季度一次", "1": "每月一次"}


INSTALMENT_STATES = {"paid": "已缴清", "partly": "部分缴纳", "overdue": "逾期", "due": "今日到期",
                     "future": "未到期"}

# Fields of a contract's public state, as its history names them.
FIELDS = COMMON_LABELS | {
    "lessee.kind": "承租方类型", "lessee.name": "承租方",
    "lessee.id_number": "证件号码", "assets": "地块/资产", "start_date": "起始日期", "end_date": "终止日期",
    "rent.rate": "租金单价", "rent.unit": "租金单位", "rent.escalation_percent": "递增比例（%）",
    "rent.escalation_every_years": "递增间隔（年）", "rent.interval_months": "缴款周期（月）",
    "schedule": "缴款计划", "signed_on": "签订日期", "kind": "租赁方式", "share_percent": "分成比例（%）",
    "revenues": "申报营业收入", "meeting": "决策会议",
}
