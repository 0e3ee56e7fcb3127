"""The staff workspace's forms for tenders (招租): the notice and its steps that the committee
approves (答疑, 报名, 保证金, 成交公告, 异议). The live bidding is entered on its own page
(bidding_views.py): rounds and sealed bids are logged as they happen, not held as drafts."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField

from portal.contracts.editing import context as parcel_context
from portal.drafts.editor import Editor, Fields, Files, Verb, choices, fields_of
from portal.kernel.messages import say
from portal.kernel.privacy import mask_name
from portal.kernel.transaction import Actor, Backend
from portal.kernel.validate import Checker
from portal.tenders import labels
from portal.tenders.services import (
    TenderInput,
    answer_question,
    award_tender,
    correct_tender,
    create_tender,
    file_objection,
    find_tender,
    record_deposit,
    register_bidder,
    tender_input_from,
    withdraw_tender,
)
from portal.villages.services import find_village

LOT_ROWS = 8


class TenderForm(FlaskForm):  # type: ignore[misc]  # flask_wtf has no type information
    number = StringField("招租编号", description="村内唯一，例如 ZZ-2026-001")
    title = StringField("公告标题", description="例如 东洋片区土地经营权公开招租公告")
    mode = SelectField("竞价方式", choices=choices(labels.TENDER_MODE), validate_choice=False)
    lots = HiddenField("标的地块")  # the service's messages about the rows as a whole go here
    use = StringField("用途", description="例如 种植茶叶、蔬菜；不得改变土地农业用途")
    term_start = StringField("租期起", description="例如 2027-01-01")
    term_end = StringField("租期止", description="最后一天，例如 2036-12-31")
    reserve_price = StringField("底价（元/亩/年）", render_kw={"inputmode": "decimal"})
    increment = StringField("加价幅度（元/亩/年）", description="每次加价至少这么多",
                            render_kw={"inputmode": "decimal"})
    deposit = StringField("保证金（元）", render_kw={"inputmode": "decimal"})
    eligibility = TextAreaField("竞买人资格", render_kw={"rows": 3})
    plan_number = StringField("依据方案编号", description="村民代表会议通过的方案，例如 FA-2026-001")
    meeting_number = StringField("依据会议编号", description="决定招租的会议纪要，例如 HY-2026-002")
    publicity_start = StringField("公示开始日期", description="不填为今天；更正时自动从更正之日重新起算")
    publicity_days = StringField("公示期（工作日）", description="至少 5 个工作日", default="5",
                                 render_kw={"inputmode": "numeric"})
    bid_deadline = StringField("竞价日/报价截止日", description="公示期结束以后")


for _row in range(1, LOT_ROWS + 1):  # parcel_1, area_1, …: a draft's fields stay flat text
    setattr(TenderForm, f"parcel_{_row}", StringField(say("第 %(row)s 块 地块编号", row=_row),
                                                      render_kw={"list": "village-parcels", "autocomplete": "off"}))
    setattr(TenderForm, f"area_{_row}", StringField(say("第 %(row)s 块 招租面积（亩，不填为整块）", row=_row),
                                                    render_kw={"inputmode": "decimal", "autocomplete": "off"}))


def to_input(fields: Fields, files: Files) -> TenderInput:
    lots: list[tuple[str, str | Decimal | None]] = []
    check = Checker()
    for row in range(1, LOT_ROWS + 1):
        parcel, area = (fields.get(f"parcel_{row}") or "").strip(), (fields.get(f"area_{row}") or "").strip()
        if area and not parcel:
            check.fail(f"parcel_{row}", say("填了面积，请同时填写地块编号"))
        elif parcel:
            lots.append((parcel, area or None))
    check.done()
    names = [n for n in TenderInput.__dataclass_fields__ if n != "lots"]
    return TenderInput(**{n: fields.get(n, "") for n in names}, lots=lots)


def current(backend: Backend, code: str, number: str) -> Fields:
    with backend.db.read() as session:
        data = tender_input_from(find_tender(session, find_village(session, code).id, number))
    fields = fields_of(data)
    for row, (parcel, area) in enumerate(data.lots, 1):
        fields[f"parcel_{row}"], fields[f"area_{row}"] = parcel, "" if area is None else str(area)
    return fields


class AnswerForm(FlaskForm):  # type: ignore[misc]
    question = TextAreaField("问题", description="公示期间收到的问题（不写提问人姓名）", render_kw={"rows": 3})
    answer = TextAreaField("答复", render_kw={"rows": 4})


class RegisterForm(FlaskForm):  # type: ignore[misc]
    kind = SelectField("竞买人类型", choices=choices(labels.BIDDER_KIND), validate_choice=False)
    name = StringField("竞买人名称", description="企业写全称；个人写姓名，公开时只显示为 张*华")


class DepositForm(FlaskForm):  # type: ignore[misc]
    bidder = StringField("竞买人序号", description="报名时的序号：1、2、3…", render_kw={"inputmode": "numeric"})
    state = SelectField("保证金", choices=choices({"received": "已收", "refunded": "已退"}), validate_choice=False)


class AwardForm(FlaskForm):  # type: ignore[misc]
    objection_days = StringField("异议期（工作日）", default="5", description="从成交公告次日起算",
                                 render_kw={"inputmode": "numeric"})


class ObjectionForm(FlaskForm):  # type: ignore[misc]
    text = TextAreaField("异议内容", description="不写异议人姓名、电话", render_kw={"rows": 4})
    answer = TextAreaField("答复", description="可以以后再答复", render_kw={"rows": 3})


def _verb(call: Any, *names: str) -> Any:
    """A verb's call from a service taking the form's fields by name."""
    def run(backend: Backend, actor: Actor, code: str, number: str, fields: Fields, reason: str) -> Any:
        return call(backend, actor, code, number, *(fields.get(n, "") for n in names), reason=reason)
    return run


def shown(fields: Fields, for_committee: bool) -> Fields:
    """A person bidder's name masked for the committee (as in public)."""
    if for_committee and fields.get("kind") == "person":
        return {**fields, "name": mask_name(fields.get("name", ""))}
    return dict(fields)


def context(backend: Backend, code: str) -> Mapping[str, Any]:
    return {**parcel_context(backend, code), "rows_shown": lambda fields: LOT_ROWS}


EDITOR = Editor(
    "tender", TenderForm, to_input, create_tender, current, correct=correct_tender, withdraw=withdraw_tender,
    template="workspace/tender_fields.html", context=context, shown=shown,
    value_labels={"mode": labels.TENDER_MODE, "status": labels.TENDER_STATUS},
    desk=("tenders.desk", "现场竞价/开标"),
    verbs={
        "answer": Verb("答疑", AnswerForm, _verb(answer_question, "question", "answer"),
                       hint="公示期间的提问和答复，附在招租公告下公开。", statuses=("open",)),
        "register": Verb("报名", RegisterForm, _verb(register_bidder, "kind", "name"),
                         hint="登记一位竞买人；个人姓名公开时隐去中间的字。", statuses=("open",)),
        "deposit": Verb("保证金", DepositForm, _verb(record_deposit, "bidder", "state"),
                        hint="登记竞买人保证金已收或已退。",
                        statuses=("open", "opening", "closed", "failed", "awarded")),
        "award": Verb("成交公告", AwardForm, _verb(award_tender, "objection_days"),
                      hint="竞价结束后公布成交结果，并开始异议期。", statuses=("closed",)),
        "object": Verb("异议", ObjectionForm, _verb(file_objection, "text", "answer"),
                       hint="异议期内收到的异议及答复，附在招租记录下公开。", statuses=("awarded",)),
    })

