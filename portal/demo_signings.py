"""The demo village's signing records: each of the five consolidated-land contracts signed in
the village hall on a live stream, with a stand-in scan of its signed last page (演示数据)."""
from __future__ import annotations

import hashlib
from datetime import date

from portal.contracts.reads import contract_detail
from portal.kernel.transaction import Actor, Backend
from portal.signings.services import SigningInput, record_signing

SIGNERS = ["陈志远", "林国栋", "黄丽萍", "吴建华", "郑海燕"]  # the companies' representatives (fictional)


def _signed_page(number: str, title: str, lessee: str, signer: str) -> bytes:
    from portal.publishing.pdf import render_pdf

    return render_pdf(
        "<style>@page { size: A5; margin: 12mm } h1 { font-size: 14pt } p { margin: 3mm 0 }</style>"
        f"<h1>{title}（签字页 · 演示）</h1><p>合同编号：{number}</p>"
        "<p>发包方：莲坂村股份经济合作社（盖章）　代表：村委会主任 王*国（签字）</p>"
        f"<p>承包方：{lessee}（盖章）　代表：法定代表人 {signer[0]}*{signer[-1]}（签字）</p>"
        "<p>见证：村务监督委员会　签约日期：2023 年 12 月 28 日</p>")


def build_signings(backend: Backend, staff: Actor, code: str, contracts: list[str], today: date) -> None:
    for i, number in enumerate(contracts):
        contract = contract_detail(backend, code, number, today).contract
        scan = _signed_page(number, contract.title, contract.lessee_name, SIGNERS[i % len(SIGNERS)])
        record_signing(backend, staff, code, SigningInput(
            number=f"QY-2023-{i + 1:03d}", contract_number=number, signed_on="2023-12-28",
            place="莲坂村村委会二楼会议室（全程网络直播）", lessor_role="村委会主任", lessor_name="王建国",
            lessee_role="法定代表人", lessee_name=SIGNERS[i % len(SIGNERS)],
            witnesses="监委会主任 张三明\n村民代表 李秀英\n镇农业服务中心 周文斌",
            video_sha256=hashlib.sha256(f"演示录像 {number}".encode()).hexdigest(),
            note="演示数据：签约全程直播，录像由村委会存档", contract_scan=scan))
