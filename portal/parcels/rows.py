"""A record's parcels as rows of its staff form (地块编号 and area), as contracts (出租面积) and
entrustments (委托面积) ask for them.

A draft keeps what the form sent as flat text, so the rows are the fields `parcel_1`, `area_1`, …:
`shown` empty rows on a new record and always `more` below the filled ones, up to `most`, so a
record with many parcels is entered by saving and editing again, without JavaScript.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import StringField

from portal.kernel.area import AREA_PLACES, area_grouped
from portal.kernel.errors import ValidationError
from portal.kernel.messages import say
from portal.kernel.status import RecordStatus
from portal.kernel.validate import Checker
from portal.parcels.labels import AREA_UNIT
from portal.parcels.models import Asset, AssetKind
from portal.translations import in_english, translate


@dataclass(frozen=True)
class ParcelChoice:
    """One of the village's parcels as the form's <datalist> offers it."""

    number: str
    label: str


@dataclass(frozen=True)
class ParcelRows:
    """The parcel rows of one record type's form."""

    most: int            # rows the form has at the most
    shown: int           # empty rows on a new record
    max_area: Decimal    # the largest area one row may give
    more: int = 2        # empty rows below the filled ones when editing

    @property
    def names(self) -> frozenset[str]:
        """The rows' field names (`parcel_1`, `area_1`, …)."""
        return frozenset(f"{kind}_{row}" for row in range(1, self.most + 1) for kind in ("parcel", "area"))

    def add_to(self, form: type, parcel_label: Callable[[int], str], area_label: Callable[[int], str]) -> None:
        """Gives `form` its row fields, labelled by row number."""
        for row in range(1, self.most + 1):
            setattr(form, f"parcel_{row}", StringField(parcel_label(row), render_kw={
                "list": "village-parcels", "autocomplete": "off"}))
            setattr(form, f"area_{row}", StringField(area_label(row), render_kw={
                "inputmode": "decimal", "autocomplete": "off"}))

    def rows_of(self, fields: Mapping[str, str | None]) -> list[tuple[int, str, str]]:
        """(row, parcel number, area) of every row with something in it."""
        rows = [(row, (fields.get(f"parcel_{row}") or "").strip(), (fields.get(f"area_{row}") or "").strip())
                for row in range(1, self.most + 1)]
        return [(row, number, area) for row, number, area in rows if number or area]

    def rows_shown(self, fields: Mapping[str, str | None]) -> int:
        """How many rows the form shows: a few more than are filled."""
        filled = max((row for row, _, _ in self.rows_of(fields)), default=0)
        return min(self.most, max(self.shown, filled + self.more))

    def read(self, fields: Mapping[str, str | None], check: Checker, area_label: str,
             no_parcel: str) -> list[tuple[str, str | None]]:
        """The filled rows as (parcel number, area or None for the whole parcel); a row with an
        area but no parcel (`no_parcel`), or whose area is no number, is failed in `check`."""
        assets: list[tuple[str, str | None]] = []
        for row, number, area in self.rows_of(fields):
            if not number:
                check.fail(f"parcel_{row}", no_parcel)
                continue
            if area:
                check.decimal(f"area_{row}", area, area_label, places=AREA_PLACES, minimum=Decimal(0),
                              maximum=self.max_area, strictly_positive=True)
            assets.append((number, area or None))
        return assets

    def folded(self, fields: Mapping[str, str]) -> dict[str, str]:
        """A draft's fields with its rows as one line `assets` ("P1（12.5）、P2（整块）"; in English
        "P1 (12.5), P2 (whole)"), as its page lists them."""
        result = {k: v for k, v in fields.items() if k not in self.names}
        whole = translate(say("整块"))
        pattern, separator = ("{} ({})", ", ") if in_english() else ("{}（{}）", "、")
        result["assets"] = separator.join(pattern.format(number, area or whole) for _, number, area in self.rows_of(fields))
        return result

    def prefilled(self, data: Any) -> dict[str, str]:
        """A record's service input (a dataclass with `assets`) as its form's fields, the parcels
        as rows (at most `most`), to prefill a correction."""
        fields = {k: "" if v is None else str(v) for k, v in vars(data).items() if k != "assets"}
        for row, (parcel, area) in enumerate(data.assets[:self.most], 1):
            fields[f"parcel_{row}"], fields[f"area_{row}"] = parcel, "" if area is None else str(area)
        return fields


def refuse_rows(check: Checker, rest: Callable[[], object]) -> None:
    """Raises the rows' problems in `check` together with those the service's own check `rest`
    finds in the other fields (ValidationError), so one submit names every mistake; nothing when
    the rows are right."""
    if not check.errors:
        return
    others: dict[str, str] = {}
    try:
        rest()
    except ValidationError as err:
        others = err.errors
    raise ValidationError({**others, **check.errors})


def parcel_choices(session: Session, village_id: int, kind: AssetKind | None = None) -> list[ParcelChoice]:
    """The village's parcels in use (of `kind`, or all) to pick from: "P1", "东洋片 · 12.50 亩"
    (the unit in the reader's language)."""
    query = select(Asset.number, Asset.name, Asset.area, Asset.kind).where(
        Asset.village_id == village_id, Asset.status == RecordStatus.ACTIVE)
    if kind is not None:
        query = query.where(Asset.kind == kind)
    return [ParcelChoice(number, f"{name} · {area_grouped(area)} {translate(AREA_UNIT[asset_kind.area_unit])}")
            for number, name, area, asset_kind in session.execute(query.order_by(Asset.number))]
