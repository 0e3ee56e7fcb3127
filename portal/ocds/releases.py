"""OCDS 1.1 releases made from the audit log: one release per logged change of a tender, a
contract or a receipt, so the published history is the log's history.

Each release is built from one log entry's `data` (the record's public state after the change:
people already masked, no identifiers of persons), its `seq` (the release id is
`<village>-<seq>`) and its `ts` (the release date). A tender, the contract that follows its award
and that contract's receipts share one `ocid`; a contract without a tender (a historical lease)
is a process of its own, marked as a direct award. Amounts are JSON numbers, as OCDS wants
(the log itself keeps decimal strings).

Pure functions of their inputs: no database, no Flask (portal/ocds/reads.py feeds them).
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

CURRENCY = "CNY"
LOTS_EXTENSION = ("https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/"
                  "v1.1.5/extension.json")
AREA_UNITS = {"mu": "亩", "m2": "平方米"}
RENT_UNITS = {"mu_year": "元/亩/年", "m2_month": "元/㎡/月"}
TENDER_STATUS = {"open": "active", "opening": "active", "closed": "active", "failed": "unsuccessful",
                 "awarded": "complete", "withdrawn": "cancelled"}
CONTRACT_STATUS = {"active": "active", "terminated": "terminated", "withdrawn": "cancelled"}
ENTITIES = ("tender", "contract", "receipt")


@dataclass(frozen=True)
class Publication:
    """Who publishes, where, under which prefix and licence, and what links the records."""

    code: str
    village_name: str
    base_url: str
    prefix: str
    license: str
    tender_of_contract: Mapping[str, str] = field(default_factory=dict)  # contract number → tender number
    plan_titles: Mapping[str, str] = field(default_factory=dict)         # plan number → title
    published: str = ""                                                  # the log's newest entry time

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + f"/v/{self.code}" + path

    def ocid(self, number: str) -> str:
        return f"{self.prefix}-{self.code}-{number}"

    def contract_ocid(self, contract: str) -> str:
        return self.ocid(self.tender_of_contract.get(contract, contract))

    def award_id(self, contract: str) -> str:
        tender = self.tender_of_contract.get(contract)
        return f"{tender}-award" if tender else f"{contract}-award"

    @property
    def village_party(self) -> dict[str, Any]:
        return {"id": f"{self.code}-collective", "name": f"{self.village_name}集体经济组织"}


def amount(value: str | Decimal | None) -> int | float | None:
    """A decimal string as the JSON number OCDS wants: an int when whole, else the shortest float
    that reads back as the same decimal (2 places of fen always do)."""
    if value is None:
        return None
    number = Decimal(value)
    return int(number) if number == number.to_integral_value() else float(number)


def money(value: str | Decimal | None) -> dict[str, Any]:
    return {"amount": amount(value), "currency": CURRENCY}


def beijing(day: str | None, end: bool = False) -> str | None:
    """A date of the records (Beijing) as an OCDS date-time: the day's start, or its last second."""
    if not day:
        return None
    return f"{date.fromisoformat(day).isoformat()}T{'23:59:59' if end else '00:00:00'}+08:00"


def party_id(name: str, kind: str, scope: str) -> str:
    """A company by its name (the same company in every process); a person only within the record
    that names them, from the masked name: no identifier of a person is published."""
    if kind == "person":
        return f"person-{scope}"
    return "org-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]


def release(pub: Publication, entry: Mapping[str, Any]) -> dict[str, Any] | None:
    """The release of one log entry of a tender, contract or receipt; None for anything else
    (and for a receipt of no contract, which belongs to no contracting process)."""
    data = entry.get("data")
    if not isinstance(data, dict) or entry.get("entity") not in ENTITIES:
        return None
    verb = str(entry["action"]).rsplit(".", 1)[-1]
    base = {"id": f"{pub.code}-{entry['seq']}", "date": entry["ts"], "language": "zh", "initiationType": "tender"}
    if entry["entity"] == "tender":
        return {**base, **_tender_release(pub, entry, data, verb)}
    if entry["entity"] == "contract":
        return {**base, **_contract_release(pub, entry, data, verb)}
    if not data.get("contract"):
        return None
    return {**base, **_receipt_release(pub, data, verb)}


def _tender_tag(verb: str, data: Mapping[str, Any]) -> list[str]:
    if verb == "create":
        return ["planning", "tender"] if data.get("plan") else ["tender"]
    if verb == "correct":
        return ["tenderAmendment"]
    if verb == "withdraw":
        return ["tenderCancellation"]
    if verb == "award":
        return ["award"]
    return ["awardUpdate"] if data.get("status") == "awarded" else ["tenderUpdate"]


def _tender_release(pub: Publication, entry: Mapping[str, Any], data: Mapping[str, Any], verb: str) -> dict[str, Any]:
    number = data["number"]
    page = pub.url(f"/tenders/{number}")
    reserve = Decimal(data["reserve_price"])
    lots = data.get("lots") or []
    area = sum((Decimal(lot["area"]) for lot in lots), Decimal(0))
    parties = [{**pub.village_party, "roles": ["buyer", "procuringEntity", "payee"]}]
    tenderers = []
    for bidder in data.get("bidders") or []:
        ref = {"id": party_id(bidder["name"], bidder["kind"], f"{number}-{bidder['no']}"), "name": bidder["name"]}
        roles = ["tenderer"]
        if data.get("winner") == bidder["no"] and data.get("status") == "awarded":
            roles += ["supplier", "payer"]
        parties.append({**ref, "roles": roles})
        tenderers.append(ref)
    tender: dict[str, Any] = {
        "id": number, "title": data["title"], "status": TENDER_STATUS.get(data["status"], "active"),
        "description": f"用途：{data['use']}；底价 {data['reserve_price']} 元/亩/年，加价幅度 {data['increment']} 元/亩/年，"
                       f"保证金 {data['deposit']} 元；tender.value 为底价×面积的年租金（元/年）",
        "procuringEntity": pub.village_party,
        "procurementMethod": "open",
        "procurementMethodDetails": "公开竞价（现场/网络，逐轮加价）" if data["mode"] == "auction" else "密封报价，公开开标",
        "mainProcurementCategory": "services",
        "awardCriteria": "priceOnly",
        "value": money((reserve * area).quantize(Decimal("0.01"))),
        "items": [{"id": lot["asset"], "description": lot.get("name") or lot["asset"],
                   "quantity": amount(lot["area"]), "unit": {"name": AREA_UNITS["mu"], "value": money(reserve)},
                   "relatedLot": lot["asset"]} for lot in lots],
        "lots": [{"id": lot["asset"], "title": lot.get("name") or lot["asset"],
                  "value": money((reserve * Decimal(lot["area"])).quantize(Decimal("0.01")))} for lot in lots],
        "tenderPeriod": {"startDate": beijing(data["publicity_start"]), "endDate": beijing(data["bid_deadline"], end=True)},
        "enquiryPeriod": {"startDate": beijing(data["publicity_start"]),
                          "endDate": beijing(data["publicity_end"], end=True)},
        "contractPeriod": {"startDate": beijing(data["term_start"]), "endDate": beijing(data["term_end"], end=True)},
        "hasEnquiries": bool(data.get("qa")),
        "eligibilityCriteria": data.get("eligibility") or None,
        "numberOfTenderers": len(tenderers),
        "tenderers": tenderers,
        "documents": [{"id": f"{number}-notice", "documentType": "tenderNotice", "title": data["title"],
                       "url": page, "format": "text/html", "language": "zh"}],
    }
    if verb == "correct":
        tender["amendments"] = [{"id": f"{pub.code}-{entry['seq']}", "date": entry["ts"],
                                 "rationale": entry.get("reason") or ""}]
    result: dict[str, Any] = {"ocid": pub.ocid(number), "tag": _tender_tag(verb, data), "parties": parties,
                              "buyer": pub.village_party, "tender": _without_none(tender)}
    if data.get("plan"):
        result["planning"] = _planning(pub, data)
    if data.get("winner") and data.get("status") == "awarded":
        winner = next(ref for ref, b in zip(tenderers, data["bidders"]) if b["no"] == data["winner"])
        price = Decimal(data["winning_price"])
        award = {"id": f"{number}-award", "title": f"{data['title']} 成交结果", "status": "active",
                 "date": beijing(data.get("awarded_on")), "suppliers": [winner],
                 "description": f"成交价 {data['winning_price']} 元/亩/年；value 为成交价×面积的年租金（元/年）",
                 "value": money((price * area).quantize(Decimal("0.01"))),
                 "contractPeriod": tender["contractPeriod"],
                 "documents": [{"id": f"{number}-award-notice", "documentType": "awardNotice", "url": page,
                                "format": "text/html", "language": "zh"}]}
        result["awards"] = [_without_none(award)]
        if data.get("objection_until"):
            result["tender"]["standstillPeriod"] = {"startDate": beijing(data.get("awarded_on")),
                                                    "endDate": beijing(data["objection_until"], end=True)}
    return result


def _planning(pub: Publication, data: Mapping[str, Any]) -> dict[str, Any]:
    plan = data["plan"]
    documents = [{"id": plan, "documentType": "procurementPlan", "title": pub.plan_titles.get(plan, plan),
                  "url": pub.url(f"/plans/{plan}"), "format": "text/html", "language": "zh"}]
    if data.get("meeting"):
        documents.append({"id": data["meeting"], "documentType": "meetingMinutes", "title": "会议纪要",
                          "url": pub.url(f"/meetings/{data['meeting']}"), "format": "text/html", "language": "zh"})
    return {"rationale": pub.plan_titles.get(plan, plan), "documents": documents}


def _contract_tag(verb: str) -> list[str]:
    return {"create": ["contract"], "correct": ["contractAmendment"], "terminate": ["contractTermination"],
            "withdraw": ["contractTermination"]}.get(verb, ["contractUpdate"])


def _lessee(data: Mapping[str, Any]) -> dict[str, Any]:
    lessee = data["lessee"]
    return {"id": party_id(lessee["name"], lessee["kind"], data["number"]), "name": lessee["name"]}


def _contract_release(pub: Publication, entry: Mapping[str, Any], data: Mapping[str, Any], verb: str) -> dict[str, Any]:
    number = data["number"]
    lessee = _lessee(data)
    rent = data["rent"]
    total = sum((Decimal(i["amount"]) for i in data.get("schedule") or []), Decimal("0.00"))
    contract: dict[str, Any] = {
        "id": number, "awardID": pub.award_id(number), "title": data["title"],
        "status": CONTRACT_STATUS.get(data["status"], "active"),
        "description": f"租金 {rent['rate']} {RENT_UNITS.get(rent['unit'], rent['unit'])}，每 {rent['interval_months']} 个月缴一次"
                       + (f"，每 {rent['escalation_every_years']} 年递增 {rent['escalation_percent']}%"
                          if rent.get("escalation_every_years") else "")
                       + "；value 为缴款计划全期应缴之和（元）",
        "period": {"startDate": beijing(data["start_date"]), "endDate": beijing(data["end_date"], end=True)},
        "value": money(total),
        "dateSigned": beijing(data.get("signed_on")),
        "items": [{"id": a["number"], "description": a["number"], "quantity": amount(a["area"]),
                   "unit": {"name": AREA_UNITS.get(a.get("area_unit", "mu"), a.get("area_unit"))}}
                  for a in data.get("assets") or []],
        "documents": [{"id": f"{number}-page", "documentType": "contractSigned", "title": data["title"],
                       "url": pub.url(f"/contracts/{number}"), "format": "text/html", "language": "zh"}],
    }
    if verb in ("correct", "terminate", "withdraw"):
        contract["amendments"] = [{"id": f"{pub.code}-{entry['seq']}", "date": entry["ts"],
                                   "rationale": entry.get("reason") or ""}]
    result: dict[str, Any] = {
        "ocid": pub.contract_ocid(number), "tag": _contract_tag(verb), "buyer": pub.village_party,
        "parties": [{**pub.village_party, "roles": ["buyer", "procuringEntity", "payee"]},
                    {**lessee, "roles": ["supplier", "payer"]}],
        "awards": [{"id": pub.award_id(number), "status": "active", "suppliers": [lessee]}],
        "contracts": [_without_none(contract)],
    }
    if number not in pub.tender_of_contract:
        result["tender"] = {"id": f"{number}-direct", "status": "complete", "procurementMethod": "direct",
                            "procurementMethodDetails": "未经本站招租（历史合同或直接签订）"}
    return result


def _receipt_release(pub: Publication, data: Mapping[str, Any], verb: str) -> dict[str, Any]:
    contract = data["contract"]
    payer = data.get("payer") or {}
    kind = "person" if payer.get("is_person") else "company"
    payer_ref = {"id": party_id(payer.get("name", ""), kind, contract), "name": payer.get("name", "")}
    transaction = {"id": data["number"], "date": beijing(data["received_on"]), "value": money(data["amount"]), "payer": payer_ref,
                   "payee": pub.village_party, "uri": pub.url(f"/receipts/{data['number']}")}
    if data.get("status") == "withdrawn":
        transaction["status"] = "withdrawn"  # 已撤回: an extra field, as OCDS transactions have no status
    return {
        "ocid": pub.contract_ocid(contract), "tag": ["implementation" if verb == "create" else "implementationUpdate"],
        "parties": [{**pub.village_party, "roles": ["buyer", "procuringEntity", "payee"]},
                    {**payer_ref, "roles": ["payer"]}],
        "contracts": [{"id": contract, "awardID": pub.award_id(contract),
                       "implementation": {"transactions": [transaction]}}],
    }


def _without_none(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if v is not None}


def package(pub: Publication, entries: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The release package of a village: every release, in log order."""
    releases = [r for r in (release(pub, e) for e in entries) if r is not None]
    return {
        "uri": pub.url("/ocds/releases.json"),
        "version": "1.1",
        "extensions": [LOTS_EXTENSION],
        "publishedDate": pub.published or (releases[-1]["date"] if releases else "1970-01-01T00:00:00Z"),
        "publisher": {"name": f"{pub.village_name} 三资公开", "uri": pub.url("/")},
        "license": pub.license,
        "publicationPolicy": pub.url("/#open-data"),
        "releases": releases,
    }


def merge(into: dict[str, Any], release_: Mapping[str, Any]) -> dict[str, Any]:
    """OCDS merging, as far as these releases need it: objects merge field by field, arrays of
    objects with `id` merge by id (order of first appearance), anything else is replaced."""
    for key, value in release_.items():
        if key == "tag":
            continue
        current = into.get(key)
        if isinstance(value, dict):
            into[key] = merge(dict(current) if isinstance(current, dict) else {}, value)
        elif isinstance(value, list) and value and all(isinstance(v, dict) and "id" in v for v in value):
            by_id: dict[Any, dict[str, Any]] = {}
            for item in current if isinstance(current, list) else []:
                by_id[item.get("id")] = item
            for item in value:
                by_id[item["id"]] = merge(dict(by_id.get(item["id"], {})), item)
            into[key] = list(by_id.values())
        else:
            into[key] = value
    return into


def records(pub: Publication, releases: list[dict[str, Any]]) -> dict[str, Any]:
    """The record package: per process, links to its releases and the compiled release."""
    by_ocid: dict[str, list[dict[str, Any]]] = {}
    for r in releases:
        by_ocid.setdefault(r["ocid"], []).append(r)
    uri = pub.url("/ocds/releases.json")
    out = []
    for ocid, group in by_ocid.items():
        compiled: dict[str, Any] = {}
        for r in group:
            merge(compiled, r)
        compiled.update({"id": f"{ocid}-{group[-1]['date']}", "date": group[-1]["date"], "tag": ["compiled"]})
        out.append({"ocid": ocid, "releases": [{"url": f"{uri}#{r['id']}", "date": r["date"], "tag": r["tag"]}
                                               for r in group], "compiledRelease": compiled})
    return {"uri": pub.url("/ocds/records.json"), "version": "1.1", "extensions": [LOTS_EXTENSION],
            "publishedDate": pub.published or "1970-01-01T00:00:00Z",
            "publisher": {"name": f"{pub.village_name} 三资公开", "uri": pub.url("/")},
            "license": pub.license, "publicationPolicy": pub.url("/#open-data"),
            "packages": [uri], "records": out}
