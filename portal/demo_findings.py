"""Findings of the demo village 莲坂村（演示数据）, recorded by its committee through the services:
one about a household's rent left uncollected for two years, being rectified; one about the
bulletin board's missing receipts, still open. All people are fictional."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.findings.services import FindingInput, advance_finding, create_finding
from portal.kernel.registry import COMMITTEE
from portal.kernel.transaction import Actor, Backend

CODE = "lianban"


def build_findings(backend: Backend, contract: str, receipt: str) -> None:
    with backend.db.read() as session:
        member_id = session.scalar(select(User.id).where(User.username == "demo-committee"))
    member = Actor("demo-committee", COMMITTEE, user_id=member_id, village=CODE)
    today = backend.today()
    arrears = create_finding(backend, member, CODE, FindingInput(
        title=f"合同 {contract} 欠租两年，村里未发催缴通知",
        description="核对欠租清单发现，该合同 2024、2025 年度租金均未缴纳，村委会没有书面催缴记录，"
                    "也没有在村民代表会议上说明。",
        records=contract, responsible="村委会", responsible_person="陈建国",
        due_on=(today + timedelta(days=30)).isoformat()))
    advance_finding(backend, member, CODE, arrears.number, "rectify",
                    "村委会已向承租户送达书面催缴通知，约定分两期补缴，监委会将跟踪到款情况。")
    create_finding(backend, member, CODE, FindingInput(
        title="公开栏未张贴部分收款凭证",
        description="村部公开栏只贴了收款汇总表，单笔收款凭证未贴全，村民无法逐笔核对。",
        records=receipt, responsible="报账员", due_on=(today + timedelta(days=14)).isoformat()))
