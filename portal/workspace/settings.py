"""村务设置 (/staff/settings, /staff/landmarks): the village's 监督电话 and the landmarks of its parcel
map, changed by its staff and published at once, each change a logged version of the village
(portal/villages/services.py)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from portal.accounts.models import Role
from portal.app import backend
from portal.kernel.errors import NotFound, ValidationError
from portal.kernel.messages import say
from portal.parcels import landmark_drawing
from portal.parcels import reads as parcel_reads
from portal.translations import translate
from portal.villages import reads as village_reads
from portal.villages.forms import LandmarkForm, PhoneForm, RemoveLandmarkForm
from portal.villages.labels import LANDMARK_KINDS
from portal.villages.landmarks import landmarks_of, points_text
from portal.villages.services import LandmarkInput, change_supervisor_phone, remove_landmark, save_landmark
from portal.workspace.access import village_actor
from portal.workspace.forms import show_errors
from portal.workspace.staff import CSRF_MESSAGE

bp = Blueprint("settings", __name__, url_prefix="/staff")


@bp.before_request
@login_required  # type: ignore[untyped-decorator]  # flask_login has no type information
def signed_in() -> None:
    """Every page here needs a signed-in account (anonymous readers go to the login page)."""


def _page(template: str, problems: list[str], status: int, **context: object) -> Response | tuple[str, int] | str:
    page = render_template(template, problems=problems, **context)
    return (page, status) if status != 200 else page


@bp.route("/settings", methods=["GET", "POST"])
def phone() -> Response | tuple[str, int] | str:
    """更正监督电话: the number every bulletin-board sheet prints, with the reason, logged."""
    actor, code = village_actor(Role.STAFF)
    village = village_reads.village_settings(backend(), code)
    form = PhoneForm() if request.method == "POST" else PhoneForm(data={"supervisor_phone": village.supervisor_phone})
    problems: list[str] = []
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                change_supervisor_phone(backend(), actor, code, form.supervisor_phone.data or "", form.reason.data or "")
            except ValidationError as err:
                problems = show_errors(err, form)
            else:
                flash(translate(say("监督电话已改为 %(phone)s，已记入审计日志；此后打印的公开栏文件都印新号码",
                                    phone=(form.supervisor_phone.data or "").strip())))
                return redirect(url_for("settings.phone"))
        elif "csrf_token" in form.errors:
            problems = [CSRF_MESSAGE]
    return _page("workspace/settings.html", problems, 400 if request.method == "POST" else 200,
                 form=form, village=village)


@bp.get("/landmarks")
def landmarks() -> str:
    """地标: the village's landmarks, each with its change link, and the parcels' extent to place new ones."""
    _actor, code = village_actor(Role.STAFF)
    village = village_reads.village_settings(backend(), code)
    return render_template("workspace/landmarks.html", village=village, marks=landmarks_of(village.landmarks),
                           extent=parcel_reads.outline_extent(backend(), code), kinds=LANDMARK_KINDS,
                           points_text=points_text, swatch=landmark_drawing.landmark_swatch)


@bp.route("/landmarks/new", methods=["GET", "POST"], defaults={"number": None})
@bp.route("/landmarks/<int:number>", methods=["GET", "POST"])
def landmark(number: int | None) -> Response | tuple[str, int] | str:
    """新增 or 修改 one landmark; published at once as `village.landmark`."""
    actor, code = village_actor(Role.STAFF)
    village = village_reads.village_settings(backend(), code)
    current = next((m for m in landmarks_of(village.landmarks) if m.number == number), None)
    if number is not None and current is None:
        raise NotFound(say("没有第 %(number)s 号地标", number=number))
    form = LandmarkForm() if request.method == "POST" else LandmarkForm(data={
        "kind": current.kind, "name": current.name, "points": points_text(current.points)} if current else None)
    problems: list[str] = []
    if request.method == "POST":
        if form.validate_on_submit():
            data = LandmarkInput(form.kind.data or "", form.name.data or "", form.points.data or "")
            try:
                saved = save_landmark(backend(), actor, code, data, number, form.reason.data or "")
            except ValidationError as err:
                problems = show_errors(err, form)
            else:
                flash(translate(say("地标“%(name)s”已保存，已记入审计日志，地块图上即可看到", name=saved.name)))
                return redirect(url_for("settings.landmarks"))
        elif "csrf_token" in form.errors:
            problems = [CSRF_MESSAGE]
    return _page("workspace/landmark.html", problems, 400 if request.method == "POST" else 200, form=form,
                 village=village, current=current, extent=parcel_reads.outline_extent(backend(), code))


@bp.route("/landmarks/<int:number>/remove", methods=["GET", "POST"])
def remove(number: int) -> Response | tuple[str, int] | str:
    """删除 one landmark from the map, after a page that shows which and asks why; logged."""
    actor, code = village_actor(Role.STAFF)
    village = village_reads.village_settings(backend(), code)
    current = next((m for m in landmarks_of(village.landmarks) if m.number == number), None)
    if current is None:
        raise NotFound(say("没有第 %(number)s 号地标", number=number))
    form = RemoveLandmarkForm()
    problems: list[str] = []
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                remove_landmark(backend(), actor, code, number, form.reason.data or "")
            except ValidationError as err:
                problems = show_errors(err, form)
            else:
                flash(translate(say("地标“%(name)s”已从地块图上删除，已记入审计日志", name=current.name)))
                return redirect(url_for("settings.landmarks"))
        elif "csrf_token" in form.errors:
            problems = [CSRF_MESSAGE]
    return _page("workspace/landmark_remove.html", problems, 400 if request.method == "POST" else 200, form=form,
                 current=current, kinds=LANDMARK_KINDS, points_text=points_text)
