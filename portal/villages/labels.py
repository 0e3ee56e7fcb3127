"""Chinese words of this domain's pages."""
from __future__ import annotations

from portal.kernel.history import COMMON_LABELS

FIELDS = COMMON_LABELS | {"township": "乡镇", "county": "县（区）", "code": "编码", "is_demo": "演示数据",
                          "supervisor_phone": "监督电话", "landmarks": "地标"}
# 地标: what a villager finds their way by on the parcel map. Lines (roads and water) are drawn
# as lines, the others as a symbol at one point (portal/parcels/mapping.py draws both).
LANDMARK_KINDS = {"office": "村委会", "school": "学校", "bridge": "桥", "temple": "祠堂庙宇", "other": "其他地标",
                  "road": "道路", "river": "河流", "canal": "水渠"}
LANDMARK_FIELDS = {"kind": "类别", "name": "名称", "points": "位置"}
