"""Chinese words of the receipt pages."""
from __future__ import annotations


RECEIPT_STATUS = {"active": "有效", "withdrawn": "已撤回"}
