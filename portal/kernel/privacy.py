"""Masking of personal data for every public page, export and feed (张*华, 3505**********1234)."""
from __future__ import annotations

import re
from collections.abc import Mapping

# Text published as written (a comment, a reply, a notice) must not carry a phone or ID number.
MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")


def mask_name(name: str) -> str:
    """张三华 → 张*华, 张三 → 张*, 欧阳晓明 → 欧**明: first and last character kept."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(number: str) -> str:
    """身份证号: 350521199001011234 → 3505**********1234; short or empty values are fully masked."""
    number = number.strip()
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str) -> str:
    """手机号: 13812345678 → 138****5678."""
    phone = phone.strip()
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def masked_person(fields: Mapping[str, str], prefix: str, *, name: bool = True) -> dict[str, str]:
    """A person's `<prefix>_name` (when `name`), `<prefix>_id_number` and `<prefix>_phone` among a
    form's fields, masked as the committee sees a draft (an empty phone stays empty)."""
    phone = fields.get(f"{prefix}_phone", "")
    masked = {f"{prefix}_id_number": mask_id_number(fields.get(f"{prefix}_id_number", "")),
              f"{prefix}_phone": mask_phone(phone) if phone else ""}
    return masked | ({f"{prefix}_name": mask_name(fields.get(f"{prefix}_name", ""))} if name else {})


def carries_personal_number(text: str) -> bool:
    """True when `text` holds an 11-digit mobile number or an 18-character ID number."""
    return bool(MOBILE_IN_TEXT.search(text) or ID_IN_TEXT.search(text))
