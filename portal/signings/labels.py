"""Chinese words of the signing pages."""
from __future__ import annotations

from portal.kernel.history import COMMON_LABELS

SIGNING_STATUS = {"active": "有效", "withdrawn": "已撤回"}

FIELDS = COMMON_LABELS | {
    "contract": "合同", "signed_on": "签约日期", "place": "签约地点",
    "lessor.role": "发包方签字人职务", "lessor.name": "发包方签字人",
    "lessee.role": "承包方签字人职务", "lessee.name": "承包方签字人",
    "witnesses": "见证人", "stream_url": "直播/录像链接", "video.sha256": "签约录像 SHA-256",
    "contract_scan_sha256": "签字合同扫描件", "photo_sha256": "签约照片",
}
