"""The record types of this portal: the one place that names every domain.

Adding a record type is a new domain package and one entry here (docs/adding-a-record-type.md).
The entry says who may write it; history, search, the feed, statistics, `audit verify`, the
English catalog and the public pages' blueprints are built from this list.
"""
from __future__ import annotations

import importlib

from portal.accounts import labels as account_labels
from portal.accounts.models import TOWNSHIP_LOG, User
from portal.auditdesk import models as auditdesk_models  # noqa: F401  (the desk's reading marks and checks)
from portal.auditlog import models as auditlog_models  # noqa: F401  (the log's own tables)
from portal.complaints import labels as complaint_labels
from portal.complaints import reads as complaint_reads
from portal.complaints.models import Complaint
from portal.contracts import derived as contract_derived
from portal.contracts import labels as contract_labels
from portal.contracts import reads as contract_reads
from portal.contracts.models import Contract
from portal.dividends import labels as dividend_labels
from portal.dividends import reads as dividend_reads
from portal.dividends.models import DividendLine, DividendPlan
from portal.entrustments import labels as entrustment_labels
from portal.entrustments import reads as entrustment_reads
from portal.entrustments.models import Entrustment
from portal.findings import labels as finding_labels
from portal.findings import reads as finding_reads
from portal.findings.models import Finding
from portal.kernel.registry import (
    COMMITTEE,
    STAFF,
    SYSTEM,
    TOWNSHIP,
    VILLAGER,
    RecordType,
    Registry,
)
from portal.ledger import labels as ledger_labels
from portal.ledger import reads as ledger_reads
from portal.ledger.models import Fund, LedgerEntry
from portal.meetings import labels as meeting_labels
from portal.meetings import reads as meeting_reads
from portal.meetings.models import Meeting
from portal.notices import labels as notice_labels
from portal.notices import reads as notice_reads
from portal.notices.models import Notice
from portal.parcels import labels as parcel_labels
from portal.parcels import reads as parcel_reads
from portal.parcels.models import Asset
from portal.plans import labels as plan_labels
from portal.plans import reads as plan_reads
from portal.plans.models import ConsentVote, Plan, PlanComment
from portal.publishing import models as publishing_models  # noqa: F401  (rate-limit counts: not audited)
from portal.receipts import labels as receipt_labels
from portal.receipts import reads as receipt_reads
from portal.receipts.models import Receipt
from portal.signings import labels as signing_labels
from portal.signings import reads as signing_reads
from portal.signings.models import Signing
from portal.tenders import labels as tender_labels
from portal.tenders import reads as tender_reads
from portal.tenders.models import Tender
from portal.stats import models as stats_models  # noqa: F401  (page visits: not audited)
from portal.township import models as township_models  # noqa: F401  (township codes: not audited)
from portal.villages import labels as village_labels
from portal.villages import landmarks as village_landmarks
from portal.villages import reads as village_reads
from portal.villages.models import Village
from portal.witnessing import labels as witnessing_labels
from portal.witnessing.models import CommitteeKey

BY_STAFF = frozenset({STAFF})
# Villages and accounts are created (accounts also reset, disabled and re-enabled) by the
# township (the web) or the system (the CLI on the server, the demo); each account changes its
# own password.
BY_TOWNSHIP = frozenset({TOWNSHIP, SYSTEM})
ACCOUNTS = {"create": BY_TOWNSHIP, "reset_password": BY_TOWNSHIP, "disable": BY_TOWNSHIP,
            "enable": BY_TOWNSHIP, "change_password": frozenset({STAFF, COMMITTEE, TOWNSHIP})}
RECORD = {"create": BY_STAFF, "correct": BY_STAFF, "withdraw": BY_STAFF}
BY_COMMITTEE = frozenset({COMMITTEE})
ERASE = {"erase": BY_TOWNSHIP}  # personal data masked, on request (flask privacy erase)
# A tender's steps after its notice: Q&A, registration, deposits, the bidding itself (entered live
# by staff at the public auction or opening), the award and objections.
TENDER_STEPS = ("answer", "register", "deposit", "bid", "commit", "open", "reveal", "close", "award", "object")

REGISTRY = Registry((
    # Its staff correct the 监督电话 and keep the map's landmarks (portal/villages/services.py).
    RecordType("village", Village, "村", village_labels.FIELDS,
               {"create": BY_TOWNSHIP, "correct": BY_STAFF, "landmark": BY_STAFF},
               public=False, page=village_reads.page_path, village_column="id", id_column="code", views="portal.villages.views",
               readable=village_landmarks.readable_change, title=village_reads.title),
    RecordType("user", User, "账号", account_labels.FIELDS, ACCOUNTS,
               personal=True, public=False, views="portal.accounts.views", unowned_log=TOWNSHIP_LOG,
               values=account_labels.VALUES),
    RecordType("asset", Asset, "地块/资产", parcel_labels.FIELDS, RECORD, prefix="DK-",
               page=parcel_reads.page_path, views="portal.parcels.views", editor="portal.parcels.editing"),
    RecordType("contract", Contract, "合同", contract_labels.FIELDS, RECORD | {"terminate": BY_STAFF, "declare": BY_STAFF} | ERASE,
               prefix="HT-", personal=True, page=contract_reads.page_path, views="portal.contracts.views",
               derive=contract_derived.store_instalments, derived_check=contract_derived.verify_derived,
               editor="portal.contracts.editing"),
    RecordType("receipt", Receipt, "收据", receipt_labels.FIELDS, RECORD | ERASE, prefix="SK-", personal=True,
               page=receipt_reads.page_path, views="portal.receipts.views", editor="portal.receipts.editing"),
    RecordType("signing", Signing, "签约记录", signing_labels.FIELDS, RECORD | ERASE, prefix="QY-", personal=True,
               page=signing_reads.page_path, views="portal.signings.views", editor="portal.signings.editing"),
    RecordType("notice", Notice, "公告", notice_labels.FIELDS, RECORD, prefix="GG-",
               page=notice_reads.page_path, views="portal.notices.views", editor="portal.notices.editing"),
    RecordType("plan", Plan, "方案", plan_labels.PLAN_FIELDS, RECORD | {"adopt": BY_STAFF}, prefix="FA-",
               page=plan_reads.page_path, views="portal.plans.views", editor="portal.plans.editing"),
    RecordType("plan_comment", PlanComment, "意见", plan_labels.COMMENT_FIELDS,
               {"create": frozenset({VILLAGER, STAFF}), "reply": frozenset({STAFF, COMMITTEE}),
                "withdraw": frozenset({STAFF, COMMITTEE})} | ERASE,
               personal=True, page=plan_reads.comment_page_path, title=plan_reads.on_plan_title,
               values=plan_labels.COMMENT_VALUES),
    RecordType("consent_vote", ConsentVote, "表决", plan_labels.VOTE_FIELDS,
               {"create": BY_STAFF, "correct": BY_STAFF},
               page=plan_reads.vote_page_path, title=plan_reads.on_plan_title, editor="portal.plans.vote_editing"),
    # Filed by villagers without an account, who also judge the answer (holding its tracking
    # code); the committee assigns each to a member, who answers it.
    RecordType("complaint", Complaint, "投诉/意见", complaint_labels.FIELDS,
               {"create": frozenset({VILLAGER}), "assign": frozenset({COMMITTEE}), "reply": frozenset({COMMITTEE}),
                "resolve": frozenset({VILLAGER}), "reopen": frozenset({VILLAGER})} | ERASE,
               prefix="TS-", personal=True, page=complaint_reads.page_path, views="portal.complaints.views",
               values=complaint_labels.VALUES, readable=complaint_reads.readable_change),
    RecordType("tender", Tender, "招租", tender_labels.FIELDS,
               RECORD | {verb: BY_STAFF for verb in TENDER_STEPS} | ERASE, prefix="ZZ-", personal=True,
               page=tender_reads.page_path, views="portal.tenders.views", editor="portal.tenders.editing"),
    # Households' land entrusted to the village (流转委托); paying a year's transfer rent books the
    # ledger's expense in the same transaction.
    RecordType("entrustment", Entrustment, "流转委托", entrustment_labels.FIELDS, RECORD | {"pay": BY_STAFF},
               prefix="WT-", personal=True, page=entrustment_reads.page_path, views="portal.entrustments.views",
               editor="portal.entrustments.editing"),
    # The committee's own findings (问题清单): recorded, corrected and tracked to closure by it.
    RecordType("finding", Finding, "问题清单", finding_labels.FIELDS,
               {"create": BY_COMMITTEE, "correct": BY_COMMITTEE, "withdraw": BY_COMMITTEE, "rectify": BY_COMMITTEE,
                "signoff": BY_COMMITTEE},
               prefix="ZG-", personal=True, page=finding_reads.page_path, views="portal.findings.views",
               values=finding_labels.VALUES),
    RecordType("meeting", Meeting, "会议纪要", meeting_labels.FIELDS, RECORD, prefix="HY-",
               page=meeting_reads.page_path, views="portal.meetings.views", editor="portal.meetings.editing"),
    RecordType("fund", Fund, "专项基金", ledger_labels.FUND_FIELDS, RECORD, prefix="JJ-",
               page=ledger_reads.fund_page_path, editor="portal.ledger.fund_editing"),
    RecordType("ledger_entry", LedgerEntry, "资金收支", ledger_labels.FIELDS, RECORD | ERASE, prefix="ZJ-", personal=True,
               page=ledger_reads.page_path, views="portal.ledger.views", editor="portal.ledger.editing"),
    RecordType("dividend_plan", DividendPlan, "分红方案", dividend_labels.PLAN_FIELDS, RECORD | {"pay": BY_STAFF},
               prefix="FH-", page=dividend_reads.page_path, views="portal.dividends.views",
               editor="portal.dividends.editing"),
    # A committee member's witness key, registered and revoked by the member (联署, C2SP
    # tlog-cosignature); only the public key is stored, the cosignatures ride on kept checkpoints.
    RecordType("committee_key", CommitteeKey, "监委会联署公钥", witnessing_labels.FIELDS,
               {"create": frozenset({COMMITTEE}), "revoke": frozenset({COMMITTEE})},
               public=False, views="portal.witnessing.views", values=witnessing_labels.VALUES),
    RecordType("dividend_line", DividendLine, "分红名单", dividend_labels.LINE_FIELDS,
               {"create": BY_STAFF, "correct": BY_STAFF, "pay": BY_STAFF} | ERASE, personal=True,
               page=dividend_reads.page_path, title=dividend_reads.line_title, values=dividend_labels.LINE_VALUES),
))


def vocabulary() -> list[str]:
    """Every Chinese word the record types put on a page, for the English catalog
    (portal/translations/vocabularies.txt): record names, field labels, and the string values of
    the upper-case constants of each domain's `labels` module (states, kinds, units…)."""
    words = {t.name for t in REGISTRY} | {label for t in REGISTRY for label in t.labels.values()}
    for package in sorted({t.model.__module__.rsplit(".", 1)[0] for t in REGISTRY}):
        try:
            labels = importlib.import_module(f"{package}.labels")
        except ModuleNotFoundError:
            continue
        for name, value in vars(labels).items():
            if name.isupper() and isinstance(value, dict):
                words |= {v for v in value.values() if isinstance(v, str) and v}
    return sorted(words)


VOCABULARY = vocabulary()
