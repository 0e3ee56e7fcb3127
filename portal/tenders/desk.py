"""现场竞价/开标: the staff page where the bidding is entered as it happens at the public auction
or opening. Each act is logged at once (no draft): a round, a sealed bid, the opening, a reveal,
the close; and, after the award, the contract draft made from it."""
from __future__ import annotations

from typing import Any

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField

from portal.accounts.models import Role
from portal.app import backend
from portal.kernel.errors import ValidationError
from portal.kernel.messages import say
from portal.tenders import bidding, labels
from portal.tenders import reads as tender_reads
from portal.tenders.award import contract_draft_from_award
from portal.tenders.views import bp
from portal.translations import translate
from portal.workspace.access import actor_of
from portal.workspace.forms import ActionForm

CSRF_MESSAGE = "页面已过期或来源不明，未保存。请刷新页面后重新提交。"


class BidForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    bidder = StringField("竞买人序号", render_kw={"inputmode": "numeric", "autocomplete": "off"})
    amount = StringField("出价（元/亩/年）", render_kw={"inputmode": "decimal", "autocomplete": "off"})


class SealForm(FlaskForm):  # type: ignore[misc]
    bidder = StringField("竞买人序号", render_kw={"inputmode": "numeric", "autocomplete": "off"})
    amount = StringField("报价（元/亩/年）", description="由本系统生成随机码并打印回执；本系统不保存报价和随机码",
                         render_kw={"inputmode": "decimal", "autocomplete": "off"})
    commitment = StringField("或：竞买人自己算出的承诺值", description="64 位十六进制；算法见说明文档",
                             render_kw={"autocomplete": "off"})


class RevealForm(FlaskForm):  # type: ignore[misc]
    bidder = StringField("竞买人序号", render_kw={"inputmode": "numeric", "autocomplete": "off"})
    amount = StringField("报价（元/亩/年）", render_kw={"inputmode": "decimal", "autocomplete": "off"})
    nonce = StringField("随机码", description="回执上的 32 位随机码", render_kw={"autocomplete": "off"})


FORMS: dict[str, type[Any]] = {"bid": BidForm, "seal": SealForm, "reveal": RevealForm}


@bp.get("/staff/tenders/<number>/desk")
@login_required  # type: ignore[untyped-decorator]  # flask_login has no type information
def desk(number: str) -> Any:
    return _page(number)


def _page(number: str, status: int = 200, forms: dict[str, Any] | None = None,
          problems: list[str] | None = None) -> Any:
    actor = actor_of(Role.STAFF)
    assert actor.village is not None
    detail = tender_reads.tender_detail(backend(), actor.village, number)
    forms = {name: form() for name, form in FORMS.items()} | (forms or {})
    page = render_template("workspace/tender_desk.html", d=detail, labels=labels, forms=forms,
                           action=ActionForm(), problems=problems or [])
    return (page, status) if status != 200 else page


@bp.post("/staff/tenders/<number>/<act>")
@login_required  # type: ignore[untyped-decorator]
def desk_act(number: str, act: str) -> Any:
    """One act at the auction or opening; a refused one shows its message and changes nothing."""
    actor = actor_of(Role.STAFF)
    assert actor.village is not None
    form = FORMS[act]() if act in FORMS else ActionForm()
    if act not in (*FORMS, "open", "close", "contract"):
        return _page(number, 404, problems=["没有这项操作"])
    if not form.validate_on_submit():
        return _page(number, 400, problems=[CSRF_MESSAGE])
    code, fields = actor.village, {k: v.data or "" for k, v in form._fields.items() if k != "csrf_token"}
    try:
        if act == "bid":
            bidding.place_bid(backend(), actor, code, number, fields["bidder"], fields["amount"])
            flash(say("出价已记入日志"))
        elif act == "seal":
            receipt = bidding.seal_bid(backend(), actor, code, number, fields["bidder"], fields["amount"],
                                       fields["commitment"])
            page = make_response(render_template("workspace/tender_receipt.html", r=receipt))
            page.headers["Cache-Control"] = "no-store"  # the amount and nonce are on it, nowhere else
            return page
        elif act == "reveal":
            result = bidding.reveal_bid(backend(), actor, code, number, fields["bidder"], fields["amount"],
                                        fields["nonce"])
            if not result.matched:
                return _page(number, 409, problems=[result.message])
            flash(translate(result.message))
        elif act == "open":
            bidding.open_bids(backend(), actor, code, number)
            flash(say("已开标：请逐一核验各竞买人的报价和随机码"))
        elif act == "close":
            bidding.close_bidding(backend(), actor, code, number)
            flash(say("竞价已结束，结果已记入日志；请发起成交公告草稿，经监委会审核后公布"))
        else:
            draft = contract_draft_from_award(backend(), actor, code, number)
            flash(say("已按成交结果生成合同草稿：请补全证件号码等信息后提交审核"))
            return redirect(url_for("staff.edit", draft_id=draft.id))
    except ValidationError as err:
        for name, message in err.errors.items():
            if hasattr(form, name):
                getattr(form, name).errors = [message]
        return _page(number, 400, forms={act: form} if act in FORMS else None,
                     problems=list(err.errors.values()))
    return redirect(url_for("tenders.desk", number=number) + ("#rounds" if request else ""))
