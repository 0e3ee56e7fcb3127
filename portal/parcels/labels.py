"""Chinese words of the parcel pages."""
from __future__ import annotations

from portal.parcels.status import STATUS_LABELS


PARCEL_STATUS = STATUS_LABELS


ASSET_KIND = {"land": "地块", "building": "房屋", "shop": "店面", "facility": "设施"}


AREA_UNIT = {"mu": "亩", "m2": "㎡"}
