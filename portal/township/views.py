"""/township/: the township's workspace. Every page needs a township account (anonymous
readers are sent to the login page, other accounts get 403); changes only by POST, with CSRF."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from portal.accounts.forms import show_errors
from portal.accounts.models import Role
from portal.accounts.passwords import HashingBusy
from portal.accounts.services import UserInput, actor_for, create_user, reset_password, set_active
from portal.app import backend
from portal.extensions import login_manager
from portal.kernel.errors import NotFound, PermissionDenied, ValidationError
from portal.kernel.history import ROLES as ROLE_NAMES
from portal.kernel.messages import say
from portal.publishing.exports import MEDIA_TYPES
from portal.township import display, reads
from portal.township.exports import COLUMNS, cells, figures_csv, figures_xlsx
from portal.township.figures import SORT_KEYS, BadSort
from portal.translations import translate
from portal.township.forms import VILLAGE_ROLES, AccountForm, ResetPasswordForm, StatusForm, VillageForm
from portal.villages.services import VillageInput, create_village

bp = Blueprint("township", __name__, url_prefix="/township")
DEFAULT_SORT = "code"
Page = Response | tuple[str, int]


@bp.before_request
def township_only() -> Response | None:
    if not current_user.is_authenticated:
        answer: Response = login_manager.unauthorized()
        return answer
    if current_user.role is not Role.TOWNSHIP:
        abort(403, say("此页面只供镇干部使用"))
    return None


@bp.after_request
def private_pages(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"  # account lists: never kept by a browser or proxy
    return response


def _form_page(template: str, form: FlaskForm, **context: object) -> tuple[str, int]:
    """The form again, with what was typed and the messages: 400 after a refused POST."""
    return render_template(template, form=form, **context), 400 if request.method == "POST" else 200


def _figures(sort: str) -> tuple[reads.FiguresPage, str | None]:
    """The account's table sorted by `sort`, or by village code with a message saying why not."""
    try:
        return reads.township_figures(backend(), current_user.township_code, sort), None
    except BadSort:
        choices = "、".join(SORT_KEYS)
        return (reads.township_figures(backend(), current_user.township_code, DEFAULT_SORT),
                translate(say("无法按“%(sort)s”排序。可用的列：%(choices)s（前加 - 为从大到小）", sort=sort[:40], choices=choices)))


@bp.get("/")
def home() -> Page:
    sort = request.args.get("sort", DEFAULT_SORT)
    page, problem = _figures(sort)
    html = render_template("township/overview.html", p=page, sort=sort if problem is None else DEFAULT_SORT,
                           columns=COLUMNS, problem=problem, openers=display.cell_openers(),
                           row_cells=display.row_cells, total_cells=display.total_cells)
    return (html, 400) if problem else (html, 200)


@bp.get("/villages.<any(csv, xlsx):kind>")
def export(kind: str) -> Page:
    page, problem = _figures(request.args.get("sort", DEFAULT_SORT))
    if problem:
        return problem, 400
    name = page.scope.township.name if page.scope.township else translate(say("全部乡镇"))
    title = f"{name} 各村三资一览（截至 {page.today.isoformat()}）"
    body = (figures_csv if kind == "csv" else figures_xlsx)(page.rows, page.totals, title)
    filename = f"township-{page.scope.township.code if page.scope.township else 'all'}-{page.today.isoformat()}.{kind}"
    return Response(body, mimetype=MEDIA_TYPES[kind].split(";")[0],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/v/<code>")
def village(code: str) -> str:
    try:
        detail = reads.village_detail(backend(), current_user.township_code, code)
    except NotFound:
        abort(404)
    return render_template("township/village.html", d=detail, columns=COLUMNS, values=cells(detail.row))


@bp.get("/accounts")
def accounts() -> str:
    return render_template("township/accounts.html", o=reads.overview(backend()), roles=ROLE_NAMES)


@bp.route("/villages/new", methods=["GET", "POST"])
def new_village() -> Page:
    form = VillageForm()
    if form.validate_on_submit():
        try:
            village = create_village(backend(), actor_for(current_user), VillageInput(
                form.code.data or "", form.name.data or "", form.township.data or "", form.county.data or ""))
        except ValidationError as err:
            show_errors(form, err.errors)
        else:
            flash(translate(say("已建立 %(name)s（%(code)s），请为它建立村干部和监委会成员账号", name=village.name, code=village.code)))
            return redirect(url_for("township.accounts", _anchor=f"v-{village.code}"))
    return _form_page("township/village_form.html", form)


@bp.route("/villages/<code>/accounts/new", methods=["GET", "POST"])
def new_account(code: str) -> Page:
    village = reads.village(backend(), code)
    form = AccountForm()
    if form.validate_on_submit():
        if form.role.data not in dict(VILLAGE_ROLES):
            show_errors(form, {"role": "请选择村干部或监委会成员"})
            return _form_page("township/account_form.html", form, village=village)
        try:
            user = create_user(backend(), actor_for(current_user), UserInput(
                form.username.data or "", form.display_name.data or "", form.password.data or "",
                form.role.data, village.code))
        except ValidationError as err:
            show_errors(form, err.errors, {"village": "role"})
        except HashingBusy as err:
            form.form_errors.append(str(err))
        else:
            flash(translate(say("已建立账号 %(username)s（%(name)s）", username=user.username, name=user.display_name)))
            return redirect(url_for("township.accounts", _anchor=f"v-{village.code}"))
    return _form_page("township/account_form.html", form, village=village)


@bp.route("/accounts/<username>/password", methods=["GET", "POST"])
def reset(username: str) -> Page:
    account = reads.account(backend(), username)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            reset_password(backend(), actor_for(current_user), username, form.password.data or "")
        except ValidationError as err:
            show_errors(form, err.errors)
        except (PermissionDenied, HashingBusy) as err:
            form.form_errors.append(str(err))
        else:
            flash(translate(say("已为 %(username)s 设置新密码，该账号所有已登录的设备均已退出", username=username)))
            return redirect(url_for("township.accounts"))
    return _form_page("township/reset_form.html", form, account=account)


def _status(username: str, active: bool) -> Page:
    account = reads.account(backend(), username)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            set_active(backend(), actor_for(current_user), username, active, form.reason.data or "")
        except ValidationError as err:
            show_errors(form, err.errors)
        except PermissionDenied as err:
            form.form_errors.append(str(err))
        else:
            flash(translate(say("已启用账号 %(username)s", username=username) if active
                             else say("已停用账号 %(username)s，其所有登录均已退出", username=username)))
            return redirect(url_for("township.accounts"))
    return _form_page("township/status_form.html", form, account=account, active=active)


@bp.route("/accounts/<username>/disable", methods=["GET", "POST"])
def disable(username: str) -> Page:
    return _status(username, False)


@bp.route("/accounts/<username>/enable", methods=["GET", "POST"])
def enable(username: str) -> Page:
    return _status(username, True)
