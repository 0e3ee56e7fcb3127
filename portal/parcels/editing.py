"""The staff workspace's forms for parcels and other assets (地块/资产), and the village parcel file.

An outline comes as GeoJSON, pasted or uploaded, in WGS84 longitude/latitude or in the map's own
metres; portal/parcels/geometry.py turns it into the register's integer metres and checks it. A
draft keeps the GeoJSON text as typed, so what staff see again is what they gave.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from markupsafe import Markup
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField

from portal.drafts.editor import Batch, Editor, Fields, Files, States, choices
from portal.kernel.area import area_text
from portal.kernel.errors import ValidationError
from portal.kernel.history import FieldChange, in_words
from portal.kernel.messages import say
from portal.kernel.transaction import Actor, Backend
from portal.kernel.validate import RowErrors
from portal.parcels import geometry, labels, mapping
from portal.parcels.models import Asset
from portal.parcels.services import (
    AssetInput,
    check_asset,
    correct_asset,
    create_asset,
    find_asset,
    import_assets,
    withdraw_asset,
)
from portal.translations import N_, translate
from portal.villages.services import find_village

COORDINATE_CHOICES = choices(geometry.COORDINATES)
COORDINATE_HINT = "手机定位、奥维地图、QGIS 等导出的 GeoJSON 一般是经纬度；本村地图坐标是以米计的平面坐标"
# How a parcel file may name each property: Chinese, as village ledgers do, or English.
PROPERTIES = {"number": ("编号", "number"), "name": ("名称", "name"), "area": ("面积", "area"),
              "kind": ("类别", "kind"), "land_type": ("地类", "land_type"), "location": ("位置", "location")}
KIND_WORDS = {word: kind for kind, word in labels.ASSET_KIND.items()} | {"土地": "land", "": "land"}


class AssetForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    number = StringField("编号", description="村内唯一，例如 DK-001")
    name = StringField("名称", description="例如 东洋1号地、村部临街店面")
    kind = SelectField("类别", choices=choices(labels.ASSET_KIND), validate_choice=False)
    area = StringField("面积", description="土地按亩，最多 4 位小数（如 12.3456）；房屋、店面、设施按平方米，最多 2 位小数",
                       render_kw={"inputmode": "decimal", "autocomplete": "off"})
    land_type = StringField("地类", description="耕地、园地、林地、坑塘水面等；房屋可不填")
    location = StringField("位置", description="村民小组、路名或四至")
    coordinates = SelectField("坐标类型", choices=COORDINATE_CHOICES, validate_choice=False,
                              description=COORDINATE_HINT)
    polygon_file = FileField("上传边界文件", description="一个地块的 .geojson 或 .json 文件；选了文件就以文件为准")
    polygon = TextAreaField("或粘贴边界（GeoJSON）", render_kw={"rows": 6, "spellcheck": "false"},
                            description="一个地块（Feature）、只含一个地块的 FeatureCollection，或 Polygon；"
                                        "首尾两点相同；不画边界可留空")


class ParcelFileForm(FlaskForm):  # type: ignore[misc]
    file = FileField("地块文件（GeoJSON）", description="整村的 FeatureCollection，每个地块一个 Feature")
    coordinates = SelectField("坐标类型", choices=COORDINATE_CHOICES, validate_choice=False, description=COORDINATE_HINT)
    reason = TextAreaField("导入理由", render_kw={"rows": 3},
                           description="会公开记入每一条日志，例如：录入村里历年的地块清册（2026 年村民代表会议确认）")


def _input(fields: Fields) -> AssetInput:
    return AssetInput(number=fields.get("number", ""), name=fields.get("name", ""), kind=fields.get("kind", ""),
                      area=fields.get("area", ""), land_type=fields.get("land_type", ""),
                      location=fields.get("location", ""))


def to_input(fields: Fields, files: Files) -> AssetInput:
    """The service input of a draft; an outline that cannot be read is reported next to the
    field, together with whatever else is wrong (ValidationError)."""
    data = _input(fields)
    text = fields.get("polygon", "").strip()
    if not text:
        return data
    try:
        return replace(data, polygon=geometry.outline_from_geojson(text, fields.get("coordinates") or geometry.WGS84))
    except geometry.GeometryError as err:
        others: dict[str, str] = {}
        try:
            check_asset(data)
        except ValidationError as more:
            others = more.errors
        raise ValidationError({**others, "polygon": str(err)}) from None


def current(backend: Backend, code: str, number: str) -> Fields:
    with backend.db.read() as session:
        asset = find_asset(session, find_village(session, code).id, number)
        return {"number": asset.number, "name": asset.name, "kind": asset.kind.value, "area": area_text(asset.area),
                "land_type": asset.land_type, "location": asset.location,
                "polygon": geometry.to_geojson(asset.polygon) if asset.polygon else "",
                "coordinates": geometry.LOCAL}


@dataclass(frozen=True)
class OutlineRow:
    """One parcel of a preview: what was typed, what the outline encloses, and any warning."""

    place: int
    number: str
    name: str
    area: str                  # typed, with its unit
    drawn: str | None          # enclosed by the outline, with the unit; None: no outline
    warning: str | None


def preview(states: States) -> dict[str, Any]:
    """The outline(s) drawn, and each drawn area against the typed one (warnings over 20 %)."""
    rows, parcels = [], []
    for place, data in enumerate(states, 1):
        unit = translate(labels.AREA_UNIT.get(data.get("area_unit", ""), ""))
        polygon, drawn, warning = data.get("polygon"), None, None
        if polygon:
            check = geometry.compare_area(polygon, Decimal(data["area"]), data.get("kind") == "land")
            drawn, warning = f"{geometry.shown(check.drawn)} {unit}", check.warning
            parcels.append(mapping.MapParcel(data["number"], f"#row-{place}", f"{data['number']} {data['name']}",
                                             "leased", polygon))
        rows.append(OutlineRow(place, data["number"], data["name"], f"{data['area']} {unit}", drawn, warning))
    if len(parcels) == 1 and len(rows) == 1:
        svg = mapping.outline_svg(parcels[0].polygon, "leased", parcels[0].title)
    else:
        svg = mapping.map_svg(parcels, translate(say("%(count)s 个地块的边界", count=len(parcels)))) if parcels else Markup("")
    return {"rows": rows, "svg": svg, "warnings": sum(1 for r in rows if r.warning)}


# Codes of the public state as the diff shows them.
VALUE_WORDS = {"kind": labels.ASSET_KIND, "area_unit": labels.AREA_UNIT, "status": {"active": "有效", "withdrawn": "已撤回"}}


def readable(change: FieldChange) -> FieldChange:
    """边界 as words (corners and size), not as lists of coordinates; codes as words."""
    if change.field in VALUE_WORDS:
        return in_words(change, VALUE_WORDS[change.field])
    if change.field != "polygon":
        return change
    before, after = (mapping.describe_outline(p) if p else None for p in (change.before, change.after))
    return replace(change, before=before, after=after)


def shown(fields: Fields, for_committee: bool) -> Fields:
    """The outline's GeoJSON summed up (the drawing is in the preview)."""
    outline = fields.get("polygon", "").strip()  # not `text`: pybabel takes that name for Checker.text
    return {**fields, "polygon": say("GeoJSON，%(count)s 个字符（见边界图）", count=len(outline)) if outline else ""}


def read_parcel_file(backend: Backend, code: str, content: bytes, options: Fields) -> list[Fields]:
    """Each parcel of a village's GeoJSON file as the fields of AssetForm, its outline in map
    metres (one projection zone for the whole file). Checks every parcel before answering:
    ValidationError with one message per bad one (its place in the file, number, reasons)."""
    try:
        text = content.decode("utf-8-sig")
        features = _features(geometry.parse_json(text))
    except UnicodeDecodeError:
        raise ValidationError({"file": say("文件不是 UTF-8 编码的文本：请从 GIS 软件另存为 GeoJSON（UTF-8）")}) from None
    except geometry.GeometryError as err:
        raise ValidationError({"file": str(err)}) from None
    coordinates = options.get("coordinates") or geometry.WGS84
    rows, problems = [], RowErrors("地块")
    rings: dict[int, list[tuple[float, float]]] = {}
    for place, feature in enumerate(features, 1):
        fields = _properties(feature)
        rows.append(fields)
        try:
            ring = geometry.positions(geometry.ring_of(geometry.geometry_of(feature)))
            if coordinates == geometry.WGS84:
                geometry.lonlat_in_range(ring)
            rings[place] = ring
        except geometry.GeometryError as err:
            problems.add(place, fields["number"], str(err))
    meridian = None  # one zone for the whole file, so its parcels share one plane
    if coordinates == geometry.WGS84 and rings:
        meridian = geometry.central_meridian([lon for ring in rings.values() for lon, _ in ring])
    for place, ring in rings.items():
        fields = rows[place - 1]
        try:
            fields["polygon"] = geometry.to_geojson(geometry.checked_ring(geometry.to_metres(ring, coordinates, meridian)))
            fields["coordinates"] = geometry.LOCAL
            check_asset(to_input(fields, {}))
        except geometry.GeometryError as err:
            problems.add(place, fields["number"], str(err))
        except ValidationError as err:
            problems.add(place, fields["number"], err)
    _check_numbers(backend, code, rows, problems)
    problems.done()
    return rows


def _features(value: Any) -> list[Any]:
    if isinstance(value, dict) and value.get("type") == "Feature":
        return [value]
    if not (isinstance(value, dict) and value.get("type") == "FeatureCollection"
            and isinstance(value.get("features"), list)):
        raise geometry.GeometryError(say("整村地块文件须是 GeoJSON 的 FeatureCollection，每个地块一个 Feature"))
    if not value["features"]:
        raise geometry.GeometryError(say("文件里没有地块（features 为空）"))
    return list(value["features"])


def _properties(feature: Any) -> Fields:
    """A feature's properties as AssetForm fields, whichever names the file uses."""
    given = feature.get("properties") if isinstance(feature, dict) else None
    given = given if isinstance(given, dict) else {}
    fields = {}
    for name, keys in PROPERTIES.items():
        value = next((given[k] for k in keys if given.get(k) not in (None, "")), "")
        fields[name] = str(value).strip()
    fields["kind"] = KIND_WORDS.get(fields["kind"], fields["kind"])
    return fields


def _check_numbers(backend: Backend, code: str, rows: list[Fields], problems: RowErrors) -> None:
    """Numbers repeated in the file, or already in the village's register."""
    with backend.db.read() as session:
        village_id = find_village(session, code).id
        taken = set(session.scalars(select(Asset.number).where(Asset.village_id == village_id)))
    first: dict[str, int] = {}
    for place, fields in enumerate(rows, 1):
        number = fields["number"]
        if number in taken:
            problems.add(place, number, say("编号“%(number)s”已存在", number=number))
        elif number and number in first:
            problems.add(place, number, say("编号与第 %(first)s 个重复", first=first[number]))
        first.setdefault(number, place)


def publish_parcel_file(backend: Backend, actor: Actor, code: str, inputs: list[Any], reason: str,
                        _fields: Fields) -> Any:
    return import_assets(backend, actor, code, inputs, reason)


PARCEL_FILE = Batch(
    ParcelFileForm, read_parcel_file, publish_parcel_file,
    hint="GeoJSON 的 FeatureCollection，每个地块一个 Feature；属性写 编号、名称、面积（亩），可加 类别、地类、位置"
         "（也可用 number、name、area、kind、land_type、location）。整个文件检查无误才会保存，"
         "批准后一次发布，每个地块一条日志，理由相同。")

EDITOR = Editor("asset", AssetForm, to_input, create_asset, current,
                correct=correct_asset, withdraw=withdraw_asset, preview=preview,
                preview_template="workspace/asset_preview.html", preview_label=N_("预览边界和面积"),
                readable=readable, shown=shown,
                text_files={"polygon_file": "polygon"}, batch=PARCEL_FILE)
