"""Complaints of the demo village 莲坂村（演示数据）, through the services.

One, about a consolidated contract's parcel damaged by the new irrigation works, was answered by
the committee and judged resolved by the villager; another, about the village office's notice
board, is assigned but not yet answered. Filed on the backend's own clock, like every entry of
the demo's log, so the log's times never go backwards. All people are fictional.
"""
from __future__ import annotations

from sqlalchemy import select

from portal.accounts.models import User
from portal.complaints.services import ComplaintInput, assign, file_complaint, judge, reply
from portal.kernel.registry import COMMITTEE, VILLAGER
from portal.kernel.transaction import Actor, Backend

CODE = "lianban"
FILER = Actor("villager", VILLAGER)


def build_complaints(backend: Backend, contract: str) -> None:
    with backend.db.read() as session:
        member_id = session.scalar(select(User.id).where(User.username == "demo-committee"))
    member = Actor("demo-committee", COMMITTEE, user_id=member_id, village=CODE)
    flooded = file_complaint(backend, FILER, CODE, ComplaintInput(
        kind="complaint", about=f"contract:{contract}", name="林水生",
        body="第一片区新挖的灌溉沟把我家自留地边上的田埂冲塌了，下雨就积水，希望承租公司和村里尽快修好。"))
    assign(backend, member, CODE, flooded.complaint.number, "demo-committee")
    reply(backend, member, CODE, flooded.complaint.number,
          "监委会已到现场查看，确认灌溉沟施工冲塌田埂约15米。已要求承租公司在一周内修复并加固排水口，"
          "费用由承租公司承担，修复后监委会再去验收。")
    judge(backend, FILER, CODE, flooded.tracking_code, "yes", "田埂已经修好，排水也通了，谢谢。")
    board = file_complaint(backend, FILER, CODE, ComplaintInput(
        kind="comment", body="村部门口的公开栏玻璃破了，贴的公告被雨淋湿看不清，建议换一块并把收款凭证贴全。"))
    assign(backend, member, CODE, board.complaint.number, "demo-committee")
