"""联署 (/committee/cosign): a committee member's witness key and co-signing the village log.

The page works without JavaScript (paste a public key made by `flask committee keygen`, or a
cosignature line); with JavaScript the browser makes the key, keeps the private key on this
device, checks the consistency proof from the last checkpoint it co-signed and signs.
"""
from __future__ import annotations

import base64

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length

from portal.accounts.models import Role
from portal.app import backend
from portal.auditlog import store as audit_log
from portal.kernel.errors import NotFound, PermissionDenied, ValidationError
from portal.translations import N_, translate
from portal.villages.services import get_village
from portal.witnessing import reads, services
from portal.witnessing.labels import KEY_STATUS
from portal.workspace.access import require_sign_in, village_actor

bp = Blueprint("witnessing", __name__, url_prefix="/committee/cosign")


class KeyForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    verifier_key = TextAreaField(N_("公钥"), validators=[Length(max=services.MAX_KEY_TEXT)],
                                 render_kw={"rows": 3, "spellcheck": "false", "autocomplete": "off"})


class RevokeForm(FlaskForm):  # type: ignore[misc]
    reason = TextAreaField(N_("吊销原因"), validators=[Length(max=1000)], render_kw={"rows": 2})


class CosignForm(FlaskForm):  # type: ignore[misc]
    checkpoint = HiddenField()
    cosignature = TextAreaField(N_("联署签名行"), validators=[Length(max=400)],
                                render_kw={"rows": 3, "spellcheck": "false", "autocomplete": "off"})


require_sign_in(bp)


def _page(key_form: KeyForm | None = None, revoke_form: RevokeForm | None = None,
          cosign_form: CosignForm | None = None, problem: str = "", status: int = 200) -> tuple[str, int]:
    actor, code = village_actor(Role.COMMITTEE)
    with backend().db.read() as session:
        village = get_village(session, code)
        assert village is not None
        keys = reads.keys_of(session, code)
        mine = next((k for k in keys if k.holder_id == actor.user_id and k.status == "active"), None)
        head = audit_log.head(session, code)
        note = head.checkpoint if head else ""
        public = audit_log.latest_checkpoint(session, code) or ""
        on_public = reads.cosignatures_on(session, code, public) if public else []
        last = services.last_cosigned(session, code, mine.verifier_key) if mine else None
        number = services.next_number(session, village.id)
    cosign_form = cosign_form or CosignForm()
    cosign_form.checkpoint.data = note
    return render_template(
        "workspace/cosign.html", village=village, code=code, keys=keys, mine=mine, note=note,
        size=head.size if head else 0, root=base64.b64encode(head.root).decode() if head else "",
        on_public=on_public, last=last, statuses=KEY_STATUS,
        new_key_name=services.key_name(backend(), code, number), key_form=key_form or KeyForm(),
        revoke_form=revoke_form or RevokeForm(), cosign_form=cosign_form, problem=problem,
        portal_key=backend().signer.verifier_key), status


def _problem(err: Exception) -> str:
    return "；".join(translate(m) for m in err.errors.values()) if isinstance(err, ValidationError) \
        else translate(str(err))


@bp.get("/")
def page() -> tuple[str, int]:
    return _page()


@bp.post("/keys")
def register() -> Response | tuple[str, int]:
    actor, code = village_actor(Role.COMMITTEE)
    form = KeyForm()
    if not form.validate_on_submit():
        return _page(key_form=form, problem=translate(N_("表单已过期或不完整，请重新提交")), status=400)
    try:
        services.register_key(backend(), actor, code, form.verifier_key.data or "")
    except (ValidationError, PermissionDenied) as err:
        return _page(key_form=form, problem=_problem(err), status=400)
    flash(N_("已登记公钥，登记记录已公开"))
    return redirect(url_for("witnessing.page"))


@bp.post("/keys/<int:number>/revoke")
def revoke(number: int) -> Response | tuple[str, int]:
    actor, code = village_actor(Role.COMMITTEE)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _page(revoke_form=form, problem=translate(N_("表单已过期或不完整，请重新提交")), status=400)
    try:
        services.revoke_key(backend(), actor, code, number, form.reason.data or "")
    except (ValidationError, PermissionDenied, NotFound) as err:
        return _page(revoke_form=form, problem=_problem(err), status=400)
    flash(N_("已吊销公钥，吊销记录已公开"))
    return redirect(url_for("witnessing.page"))


@bp.post("/")
def cosign() -> Response | tuple[str, int]:
    actor, code = village_actor(Role.COMMITTEE)
    form = CosignForm()
    if not form.validate_on_submit():
        return _page(cosign_form=form, problem=translate(N_("表单已过期或不完整，请重新提交")), status=400)
    try:
        services.store_cosignature(backend(), actor, code, form.checkpoint.data or "",
                                                form.cosignature.data or "")
    except (ValidationError, PermissionDenied) as err:
        return _page(cosign_form=form, problem=_problem(err), status=400)
    flash(N_("已联署检查点，联署已附在公开的检查点上"))
    return redirect(url_for("witnessing.page"))

