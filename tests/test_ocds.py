"""Open data: the village's OCDS 1.1 release and record packages, validated offline against the
OCDS 1.1.5 schemas (tests/data/ocds-1.1.5, from ../shared/data), one release per logged change."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4
from sqlalchemy import select

from portal.auditlog.models import AuditEntry
from portal.contracts.models import Contract, LesseeKind
from portal.ocds.releases import Publication, release
from portal.receipts.models import Receipt
from tests.conftest import make_app

SCHEMAS = Path(__file__).parent / "data" / "ocds-1.1.5"


def _validator(name: str) -> Draft4Validator:
    """A validator of one schema whose $refs resolve from the local files only (no network)."""
    schemas = [json.loads((SCHEMAS / f).read_text("utf-8"))
               for f in ("release-package-schema.json", "release-schema.json")]
    registry: Registry = Registry().with_resources(
        (schema["id"], Resource.from_contents(schema, default_specification=DRAFT4)) for schema in schemas)
    chosen = next(s for s in schemas if s["id"].endswith(name))
    return Draft4Validator(chosen, registry=registry)


def _errors(validator: Draft4Validator, instance: object) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)][:10]


def test_release_package_validates_and_follows_the_log(client, backend, demo):
    body = client.get(f"/v/{demo}/ocds/releases.json")
    assert body.status_code == 200 and body.mimetype == "application/json"
    package = body.get_json()
    assert _errors(_validator("release-package-schema.json"), package) == []
    with backend.db.read() as session:
        entries = [json.loads(line) for line in session.scalars(select(AuditEntry.line).where(
            AuditEntry.log == demo, AuditEntry.entity.in_(("tender", "contract", "receipt")))
            .order_by(AuditEntry.seq))]
    logged = [e for e in entries if e["entity"] != "receipt" or e["data"]["contract"]]
    releases = package["releases"]
    # one release per change, in log order, id from the entry's seq, date the entry's time
    assert [(r["id"], r["date"]) for r in releases] == [(f"{demo}-{e['seq']}", e["ts"]) for e in logged]
    assert package["publisher"]["name"] and package["license"].startswith("https://")
    assert package["uri"].endswith(f"/v/{demo}/ocds/releases.json")
    tags = {tag for r in releases for tag in r["tag"]}
    assert {"planning", "tender", "tenderUpdate", "award", "contract", "implementation"} <= tags or \
           {"tender", "tenderUpdate", "award", "contract", "implementation"} <= tags


def test_a_tender_its_contract_and_receipts_share_one_process(client, demo):
    releases = client.get(f"/v/{demo}/ocds/releases.json").get_json()["releases"]
    process = [r for r in releases if r["ocid"] == f"ocds-sanzi0-{demo}-ZZ-2023-001"]
    stages = [tag for r in process for tag in r["tag"]]
    # in the log's order (the demo entered its old contracts before their tenders)
    assert "tender" in stages and "tenderUpdate" in stages and "award" in stages and "contract" in stages and "implementation" in stages
    tender = next(r for r in process if "tender" in r["tag"])["tender"]
    assert tender["tenderPeriod"]["startDate"].endswith("+08:00") and tender["value"]["currency"] == "CNY"
    assert tender["items"][0]["unit"]["name"] == "亩" and tender["lots"]
    award = next(r for r in process if "award" in r["tag"])["awards"][0]
    assert award["suppliers"][0]["name"]
    contract = next(r for r in process if "contract" in r["tag"])["contracts"][0]
    assert contract["awardID"] == award["id"] == "ZZ-2023-001-award"
    assert contract["items"] and contract["value"]["amount"] > 0
    paid = [t for r in process if "implementation" in r["tag"] for t in r["contracts"][0]["implementation"]["transactions"]]
    assert paid and all(t["payee"]["id"] == f"{demo}-collective" for t in paid)


def test_records_compile_each_process_and_validate(client, demo):
    records = client.get(f"/v/{demo}/ocds/records.json").get_json()
    check = _validator("release-schema.json")
    assert records["records"]
    for record in records["records"]:
        assert _errors(check, record["compiledRelease"]) == [], record["ocid"]
    first = next(r for r in records["records"] if r["ocid"].endswith("ZZ-2023-001"))
    compiled = first["compiledRelease"]
    assert compiled["tag"] == ["compiled"] and len(first["releases"]) > 10
    transactions = compiled["contracts"][0]["implementation"]["transactions"]
    assert len({t["id"] for t in transactions}) == len(transactions) > 1


def test_no_personal_data_in_the_packages(client, backend, demo):
    text = client.get(f"/v/{demo}/ocds/releases.json").get_data(as_text=True)
    text += client.get(f"/v/{demo}/ocds/records.json").get_data(as_text=True)
    with backend.db.read() as session:
        people = session.execute(select(Contract.lessee_name, Contract.lessee_id_number, Contract.lessee_phone)
                                 .where(Contract.lessee_kind == LesseeKind.PERSON)).all()
        payers = set(session.scalars(select(Receipt.payer_name).where(Receipt.payer_is_person)))
    assert people
    for name, id_number, phone in people:
        assert name not in text and id_number not in text and (not phone or phone not in text)
    assert not any(name in text for name in payers)
    assert '"person-' in text  # persons appear, masked, with no identifier of theirs


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # configuration only: one database is enough
def test_prefix_and_addresses_come_from_configuration(database_url, tmp_path, demo_templates):
    app = make_app(demo_templates.sqlite(tmp_path), tmp_path, OCDS_OCID_PREFIX="ocds-test01",
                   PUBLIC_BASE_URL="https://sanzi.example.cn")
    package = app.test_client().get("/v/lianban/ocds/releases.json").get_json()
    assert all(r["ocid"].startswith("ocds-test01-lianban-") for r in package["releases"])
    assert package["uri"] == "https://sanzi.example.cn/v/lianban/ocds/releases.json"
    app.extensions["portal"].db.dispose()


def test_a_withdrawn_receipt_and_a_corrected_tender_are_releases_of_their_own():
    pub = Publication("c", "测试村", "https://x.example", "ocds-t", "https://l.example")
    receipt = {"seq": 7, "ts": "2026-01-02T03:04:05.000000Z", "entity": "receipt", "action": "receipt.withdraw",
               "data": {"number": "SK-1", "contract": "HT-1", "amount": "10.50", "received_on": "2026-01-02",
                        "payer": {"is_person": True, "name": "张*华"}, "status": "withdrawn"}}
    made = release(pub, receipt)
    assert made is not None and made["id"] == "c-7" and made["tag"] == ["implementationUpdate"]
    transaction = made["contracts"][0]["implementation"]["transactions"][0]
    assert transaction["value"] == {"amount": 10.5, "currency": "CNY"} and transaction["status"] == "withdrawn"
    assert transaction["payer"] == {"id": "person-HT-1", "name": "张*华"}
    assert release(pub, {**receipt, "data": {**receipt["data"], "contract": None}}) is None
    assert release(pub, {**receipt, "entity": "notice"}) is None


def test_a_tender_names_its_plan_and_meeting_and_masks_a_person_bidding():
    pub = Publication("c", "测试村", "https://x.example", "ocds-t", "https://l.example", {}, {"FA-1": "土地集中流转方案"})
    data = {"number": "ZZ-1", "title": "招租", "mode": "auction", "lots": [{"asset": "P1", "name": "东洋", "area": "10.00"}],
            "use": "种植", "term_start": "2027-01-01", "term_end": "2031-12-31", "reserve_price": "400.00",
            "increment": "10.00", "deposit": "1000.00", "eligibility": "", "plan": "FA-1", "meeting": "HY-1",
            "publicity_start": "2026-12-01", "publicity_days": 5, "publicity_end": "2026-12-07",
            "bid_deadline": "2026-12-10", "qa": [], "bidders": [{"no": 1, "kind": "person", "name": "张*华"}],
            "bids": [], "failed_reveals": [], "winner": None, "winning_price": None, "awarded_on": None,
            "objection_until": None, "objections": [], "status": "open"}
    made = release(pub, {"seq": 3, "ts": "2026-12-01T01:00:00.000000Z", "entity": "tender", "action": "tender.create",
                         "data": data})
    assert made is not None and made["tag"] == ["planning", "tender"]
    assert [d["url"] for d in made["planning"]["documents"]] == ["https://x.example/v/c/plans/FA-1",
                                                                  "https://x.example/v/c/meetings/HY-1"]
    assert made["tender"]["tenderers"] == [{"id": "person-ZZ-1-1", "name": "张*华"}]
    assert made["tender"]["value"] == {"amount": 4000, "currency": "CNY"}
    corrected = release(pub, {"seq": 4, "ts": "2026-12-02T01:00:00.000000Z", "entity": "tender",
                              "action": "tender.correct", "reason": "面积更正", "data": data})
    assert corrected is not None and corrected["tag"] == ["tenderAmendment"]
    assert corrected["tender"]["amendments"] == [{"id": "c-4", "date": "2026-12-02T01:00:00.000000Z",
                                                  "rationale": "面积更正"}]
    assert _errors(_validator("release-package-schema.json"), {"version": "1.1", "releases": [made, corrected]}) == []
