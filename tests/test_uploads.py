"""Uploads (portal/auditlog/files.py, images.py) and how scans are served (receipts/views.py):
size, type by content, images re-encoded without their metadata, pixel limit, PDFs as
attachments, and a person's scan only for the village's own staff, never cached."""
from __future__ import annotations

import hashlib
import io
import json
import struct
import zlib

import pytest
from PIL import Image, ImageFile
from sqlalchemy import func, select

from portal.accounts.models import Role
from portal.accounts.services import UserInput, create_user
from portal.auditlog import store as audit_log
from portal.auditlog.files import MAX_FILE_BYTES, path_for
from portal.auditlog.models import AuditEntry, StoredFile
from portal.contracts.services import create_contract
from portal.kernel.errors import ValidationError
from portal.kernel.transaction import SYSTEM
from portal.receipts.services import ReceiptInput, record_receipt
from portal.villages.services import VillageInput, create_village

from .conftest import STAFF

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PASSWORD = "correct horse battery"


def image_bytes(kind: str, size=(40, 30), **save) -> bytes:
    out = io.BytesIO()
    picture = Image.new("RGB", size, (30, 120, 200))
    picture.putpixel((0, 0), (255, 0, 0))
    picture.save(out, kind, **save)
    return out.getvalue()


def gps_exif(turned: bool = True) -> Image.Exif:
    """EXIF as a phone writes it: the owner, the camera, where it was taken, and a rotation."""
    exif = Image.Exif()
    exif[0x013B] = "王秀英"          # Artist
    exif[0x0110] = "Phone X"         # Model
    if turned:
        exif[0x0112] = 6             # Orientation: turn 90° clockwise to show
    exif[0x8825] = {1: "N", 2: (24.0, 29.0, 0.0), 3: "E", 4: (118.0, 5.0, 0.0)}  # GPS
    return exif


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims `width`×`height` pixels, with almost no data behind it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + chunk(b"IEND", b""))


def receipt(**changes) -> ReceiptInput:
    values = dict(number="SK-1", amount="5000.00", received_on="2024-01-05", payer_name="测试农业有限公司",
                  contract_number="HT-001", scan=PDF, scan_name="收据.pdf")
    values.update(changes)
    return ReceiptInput(**values)


@pytest.fixture
def contracted(backend, village, contract_input) -> str:
    create_contract(backend, STAFF, village, contract_input())
    return village


def counts(backend) -> tuple[int, int]:
    with backend.db.read() as session:
        return (session.scalar(select(func.count()).select_from(AuditEntry)),
                session.scalar(select(func.count()).select_from(StoredFile)))


def refused(backend, village, **changes) -> str:
    before = counts(backend)
    with pytest.raises(ValidationError) as error:
        record_receipt(backend, STAFF, village, receipt(**changes))
    assert counts(backend) == before
    return error.value.errors["scan"]


def stored_bytes(backend, village, **changes) -> bytes:
    """Records a receipt with the scan and returns the file kept, checking that its SHA-256 is
    the one logged and recorded."""
    sha256 = record_receipt(backend, STAFF, village, receipt(**changes)).scan_sha256
    kept = path_for(backend.files_dir, sha256).read_bytes()
    assert hashlib.sha256(kept).hexdigest() == sha256
    with backend.db.read() as session:
        assert json.loads(list(audit_log.iter_lines(session, village))[-1])["data"]["scan_sha256"] == sha256
        assert session.get(StoredFile, sha256).size == len(kept)
    return kept


# -- what is accepted -----------------------------------------------------------------------------

def test_an_oversize_file_is_refused(backend, contracted):
    message = refused(backend, contracted, scan=PDF + b"0" * MAX_FILE_BYTES)
    assert message.startswith("文件不能超过 10 MB")


def test_a_text_file_named_pdf_is_refused(backend, contracted):
    message = refused(backend, contracted, scan="收款一千元，不是扫描件".encode(), scan_name="收据.pdf")
    assert message == "只能上传 PDF、JPG 或 PNG 文件（按文件内容判断，改文件名没有用）"


def test_a_png_is_re_encoded_without_trailing_junk_or_text(backend, contracted):
    out = io.BytesIO()
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "王秀英 13812345678")
    Image.open(io.BytesIO(image_bytes("PNG"))).save(out, "PNG", pnginfo=info, exif=gps_exif(turned=False))
    uploaded = out.getvalue() + b"<script>alert(1)</script>" + PDF
    kept = stored_bytes(backend, contracted, scan=uploaded, scan_name="收据.png")
    assert kept != uploaded and kept.endswith(b"IEND\xaeB`\x82")
    for marker in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", "王秀英".encode(), b"script", b"%PDF"):
        assert marker not in kept
    picture = Image.open(io.BytesIO(kept))
    assert picture.format == "PNG" and picture.size == (40, 30) and picture.getpixel((0, 0)) == (255, 0, 0)
    assert not picture.getexif() and "Author" not in picture.info


def test_a_jpeg_loses_its_exif_and_gps_and_is_turned_upright(backend, contracted):
    uploaded = image_bytes("JPEG", exif=gps_exif().tobytes()) + b"junk after the image"
    assert b"Exif" in uploaded
    kept = stored_bytes(backend, contracted, scan=uploaded, scan_name="收据.jpg")
    assert b"Exif" not in kept and "王秀英".encode() not in kept and b"junk" not in kept
    picture = Image.open(io.BytesIO(kept))
    assert picture.format == "JPEG" and not picture.getexif()
    assert picture.size == (30, 40)  # the rotation EXIF asked for is now in the pixels


def test_a_corrupt_image_is_refused(backend, contracted, monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # as importing WeasyPrint does
    broken = image_bytes("PNG")[:60] + b"\x00" * 40
    assert refused(backend, contracted, scan=broken).startswith("图片文件已损坏或不完整")
    assert refused(backend, contracted, scan=b"\xff\xd8\xff\xe0 not really a jpeg").startswith("图片文件已损坏")
    cut = image_bytes("JPEG", size=(300, 200))
    assert refused(backend, contracted, scan=cut[:len(cut) // 2]).startswith("图片文件已损坏")
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # left as WeasyPrint wants it


@pytest.mark.parametrize("width, height", [(8000, 6000), (20000, 20000)])
def test_an_image_claiming_too_many_pixels_is_refused_before_decoding(backend, contracted, width, height):
    assert "像素" in refused(backend, contracted, scan=png_claiming(width, height))


def test_uploading_more_than_the_request_limit_gets_a_413_page_in_chinese(client):
    response = client.post("/login", data={"username": "x", "scan": (io.BytesIO(b"0" * (13 * 1024 * 1024)), "a.pdf")})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "上传的文件太大" in page and "不能超过 12 MB" in page


# -- who gets a scan, and how ---------------------------------------------------------------------

@pytest.fixture
def people(backend, contracted):
    """Staff and a committee member of the village, and staff of another village; each logs in."""
    create_village(backend, SYSTEM, VillageInput(code="othercun", name="别的村", township="测试镇"))
    for username, role, code in (("cun-staff", Role.STAFF, contracted), ("cun-committee", Role.COMMITTEE, contracted),
                                 ("other-staff", Role.STAFF, "othercun")):
        create_user(backend, SYSTEM, UserInput(username=username, display_name=username, password=PASSWORD,
                                               role=role, village_code=code))
    return contracted


def logged_in(app, username: str | None):
    client = app.test_client()
    if username:
        assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_a_persons_scan_is_for_the_villages_staff_only_and_never_cached(app, backend, people):
    record_receipt(backend, STAFF, people, receipt(payer_name="王秀英", payer_is_person=True,
                                                   scan=image_bytes("PNG"), scan_name="收据.png"))
    url = f"/v/{people}/receipts/SK-1/scan"
    for who in (None, "cun-committee", "other-staff"):
        response = logged_in(app, who).get(url)
        assert response.status_code == 403, who
        assert "只有本村的工作人员" in response.get_data(as_text=True)
    response = logged_in(app, "cun-staff").get(url)
    assert response.status_code == 200 and response.data.startswith(b"\x89PNG")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Disposition"].startswith("inline")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_companys_scan_is_public_and_cached_and_a_pdf_downloads(app, backend, people):
    record_receipt(backend, STAFF, people, receipt())
    response = logged_in(app, None).get(f"/v/{people}/receipts/SK-1/scan")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Cache-Control"] == "public, max-age=31536000"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Content-Type"] == "application/pdf"
    again = logged_in(app, None).get(f"/v/{people}/receipts/SK-1/scan",
                                     headers={"If-None-Match": f'"{response.headers["ETag"].strip(chr(34))}"'})
    assert again.status_code == 304
