"""Chinese words of the parcel pages."""
from __future__ import annotations

from portal.kernel.history import COMMON_LABELS
from portal.parcels.status import STATUS_LABELS

PARCEL_STATUS = STATUS_LABELS


ASSET_KIND = {"land": "地块", "building": "房屋", "shop": "店面", "facility": "设施"}


AREA_UNIT = {"mu": "亩", "m2": "㎡"}

FIELDS = COMMON_LABELS | {
    "area": "面积", "kind": "类别", "land_type": "地类", "location": "位置", "polygon": "边界",
    "area_unit": "面积单位",
}
# How the parcel register can be sorted (the reads' PARCEL_SORTS keys).
SORT_NAMES = {"number": "编号", "area": "面积（大→小）", "status": "状态", "end": "合同终止日期（近→远）"}
