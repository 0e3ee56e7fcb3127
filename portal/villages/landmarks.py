"""地标 — what a villager finds their way by on the parcel map: the 村委会, the main road, the
river and the canals, the school, a bridge. They are part of the village's own data (the
`landmarks` column of its row), so every change of them is a `village.landmark` entry of its log,
written by portal/villages/services.py; portal/parcels/mapping.py draws them.

A landmark's position is in the metres of the village's parcel outlines (x east, y north): one
point for a building or a bridge, a line of 2 to MAX_POINTS points for a road or a watercourse.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from portal.kernel.history import FieldChange, in_words
from portal.kernel.messages import say
from portal.kernel.validate import Checker
from portal.parcels.geometry import MAX_COORDINATE
from portal.villages.labels import LANDMARK_FIELDS, LANDMARK_KINDS

LINE_KINDS = frozenset({"road", "river", "canal"})
MAX_POINTS = 50
MAX_LANDMARKS = 60
NAME_MAX = 30
_NUMBER = r"-?\d{1,9}(?:\.\d{1,3})?"
_PAIR = re.compile(rf"({_NUMBER}) ?, ?({_NUMBER})")
_PAIRS = re.compile(rf"{_PAIR.pattern}(?: {_PAIR.pattern})*")  # after every run of spaces became one


@dataclass(frozen=True)
class Landmark:
    """One landmark as the map draws it; `points` in metres, one for a point kind."""

    number: int
    kind: str
    name: str
    points: list[list[int]]

    @property
    def is_line(self) -> bool:
        return self.kind in LINE_KINDS

    @property
    def kind_label(self) -> str:
        return LANDMARK_KINDS.get(self.kind, self.kind)

    def stored(self) -> dict[str, Any]:
        return {"number": self.number, "kind": self.kind, "name": self.name, "points": self.points}


def landmarks_of(stored: Sequence[Mapping[str, Any]] | None) -> list[Landmark]:
    """The village's stored landmarks, by number."""
    return sorted((Landmark(int(m["number"]), str(m["kind"]), str(m["name"]), [list(p) for p in m["points"]])
                   for m in stored or []), key=lambda mark: mark.number)


def points_text(points: Sequence[Sequence[int]]) -> str:
    """Points as the staff form shows them: "120,710 2460,710"."""
    return " ".join(f"{x},{y}" for x, y in points)


def parse_points(check: Checker, field: str, text: str, kind: str) -> list[list[int]]:
    """The "x,y" pairs of `text` (separated by spaces, new lines or semicolons; full-width
    characters too), rounded to whole metres: one for a point kind, 2 to MAX_POINTS for a line.
    Each problem is a message of `check` on `field`."""
    raw = re.sub(r"[;\s]+", " ", unicodedata.normalize("NFKC", text or "")).strip()
    if not raw:
        check.fail(field, say("请填写位置（坐标，单位米，如 710,740）"))
        return []
    if not _PAIRS.fullmatch(raw):
        check.fail(field, say("位置要写成“东,北”坐标（单位米），如 710,740；一条线写几个点，用空格隔开"))
        return []
    pairs = _PAIR.findall(raw)
    points = [[round(float(x)), round(float(y))] for x, y in pairs]
    if any(abs(v) > MAX_COORDINATE for p in points for v in p):
        check.fail(field, say("坐标超出范围：每个数不能超过 %(most)s 米", most=MAX_COORDINATE))
    elif kind in LINE_KINDS and not 2 <= len(points) <= MAX_POINTS:
        check.fail(field, say("道路和河渠要写 2 到 %(most)s 个点（现有 %(count)s 个）", most=MAX_POINTS, count=len(points)))
    elif kind in LINE_KINDS and any(a == b for a, b in zip(points, points[1:])):
        check.fail(field, say("相邻两个点不能相同"))
    elif kind and kind not in LINE_KINDS and len(points) != 1:
        check.fail(field, say("这类地标只写一个点（现有 %(count)s 个）", count=len(points)))
    return points


SHOWN_POINTS = 3  # a changed position shows its first points, then how many more


def readable_change(change: FieldChange) -> FieldChange:
    """A village change as the audit log shows it: a landmark's field (`landmarks.7.kind`) as
    "地标 7：类别", its kind as a word, its points as "2 个点：445,1201 → 460,1230"."""
    number, _, field = change.field.removeprefix("landmarks.").partition(".")
    if not change.field.startswith("landmarks.") or field not in LANDMARK_FIELDS:
        return change
    labelled = FieldChange(change.field, say("地标 %(number)s：%(field)s", number=number, field=LANDMARK_FIELDS[field]),
                           change.before, change.after)
    if field == "kind":
        return in_words(labelled, LANDMARK_KINDS)
    if field == "points":
        def shown(points: Any) -> Any:
            if not isinstance(points, list) or not points:
                return points
            text = " → ".join(f"{east},{north}" for east, north in points[:SHOWN_POINTS])
            more = say(" → …（另 %(more)s 个）", more=len(points) - SHOWN_POINTS) if len(points) > SHOWN_POINTS else ""
            if len(points) == 1:  # English says "1 point", "2 points": two messages, as Chinese has one
                return say("1 个点：%(points)s", points=text)
            return say("%(n)s 个点：%(points)s%(more)s", n=len(points), points=text, more=more)
        return FieldChange(change.field, labelled.label, shown(change.before), shown(change.after))
    return labelled
