"""Chinese words of the tender pages and history."""
from __future__ import annotations

from portal.kernel.history import COMMON_LABELS

TENDER_MODE = {"auction": "公开竞价", "sealed": "密封报价"}
TENDER_STAGE = {"upcoming": "即将公示", "publicity": "公示中", "bidding": "报名竞价中", "opening": "开标中",
                "closed": "竞价结束", "failed": "流标", "awarded": "已成交", "withdrawn": "已撤回"}
TENDER_STATUS = {"open": "进行中", "opening": "开标中", "closed": "竞价结束", "failed": "流标",
                 "awarded": "已成交", "withdrawn": "已撤回"}
BIDDER_KIND = {"company": "企业/合作社", "person": "个人"}
DEPOSIT_STATE = {"none": "未交", "received": "已收", "refunded": "已退"}

FIELDS = COMMON_LABELS | {
    "mode": "竞价方式", "lots": "标的地块", "use": "用途", "term_start": "租期起", "term_end": "租期止",
    "reserve_price": "底价（元/亩/年）", "increment": "加价幅度（元/亩/年）", "deposit": "保证金（元）",
    "eligibility": "竞买人资格", "plan": "依据方案", "publicity_start": "公示开始", "publicity_days": "公示期（工作日）",
    "publicity_end": "公示结束", "bid_deadline": "竞价日/报价截止日", "qa": "答疑", "bidders": "竞买人",
    "bids": "出价", "failed_reveals": "未通过核验的开标", "winner": "成交竞买人", "winning_price": "成交价（元/亩/年）",
    "awarded_on": "成交公告日", "objection_until": "异议期截止", "objections": "异议",
}
