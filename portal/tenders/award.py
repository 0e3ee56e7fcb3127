"""合同 from 成交: the award's lessee, parcels, rent and term as a contract draft, not retyped."""
from __future__ import annotations

from portal.drafts.models import Draft
from portal.drafts.services import DraftInput, save_draft
from portal.kernel.errors import ValidationError
from portal.kernel.messages import say
from portal.kernel.transaction import Actor, Backend
from portal.tenders.models import TenderStatus
from portal.tenders.services import find_tender
from portal.villages.services import find_village


def contract_fields(backend: Backend, code: str, number: str) -> dict[str, str]:
    """The contract form's fields as the award gives them; ValidationError before the award."""
    with backend.db.read() as session:
        tender = find_tender(session, find_village(session, code).id, number)
        if tender.status is not TenderStatus.AWARDED or tender.winner is None or tender.winning_price is None:
            raise ValidationError({"reason": say("成交公告发布后才能生成合同")})
        lessee = tender.bidders[tender.winner - 1]
        fields = {
            "number": f"HT-{tender.number.removeprefix('ZZ-')}"[:40],
            "title": f"{tender.lots[0]['name']}等土地租赁合同" if len(tender.lots) > 1
            else f"{tender.lots[0]['name']}土地租赁合同",
            "lessee_kind": lessee["kind"], "lessee_name": lessee["name"], "lessee_id_number": "", "lessee_phone": "",
            "start_date": tender.term_start.isoformat(), "end_date": tender.term_end.isoformat(),
            "rent_rate": str(tender.winning_price), "rent_unit": "mu_year", "escalation_percent": "0",
            "escalation_every_years": "0", "payment_interval_months": "12", "signed_on": "",
            "note": f"依据招租 {tender.number} 成交结果（第 {tender.winner} 号竞买人，"
                    f"{tender.winning_price} 元/亩/年）生成",
        }
        for row, lot in enumerate(tender.lots, 1):
            fields[f"parcel_{row}"], fields[f"area_{row}"] = lot["asset"], lot["area"]
        return fields


def contract_draft_from_award(backend: Backend, actor: Actor, code: str, number: str) -> Draft:
    """A saved (not submitted) contract draft in the contract editor, prefilled from the award;
    staff add what the award does not hold (a person's ID number, the phone) and submit it."""
    return save_draft(backend, actor, code, DraftInput("contract", "create", contract_fields(backend, code, number), {}))
