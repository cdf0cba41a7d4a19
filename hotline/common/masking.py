"""Masking of personal data for display (个人信息脱敏).

Used wherever a person's phone, name or ID number is shown to someone who does not need the
full value. The masks keep just enough to recognise a caller on the phone ("the number ending
1234") without disclosing the number.
"""

from __future__ import annotations

MASK = "*"


def mask_phone(phone: str | None) -> str:
    """13812341234 → 138****1234; a landline 0668-2281234 → 066*****1234; short → last 2 kept."""
    if not phone:
        return ""
    phone = phone.strip()
    if len(phone) >= 8:
        return phone[:3] + MASK * (len(phone) - 7) + phone[-4:]
    if len(phone) > 2:
        return MASK * (len(phone) - 2) + phone[-2:]
    return MASK * len(phone)


def mask_name(name: str | None) -> str:
    """张三 → 张*；欧阳娜娜 → 欧***；a one-character name is masked entirely."""
    if not name:
        return ""
    name = name.strip()
    if len(name) <= 1:
        return MASK * len(name)
    return name[0] + MASK * (len(name) - 1)


def mask_id_number(number: str | None) -> str:
    """A resident ID 440902199001011234 → 440902********1234 (region and last four kept)."""
    if not number:
        return ""
    number = number.strip()
    if len(number) <= 10:
        return MASK * len(number)
    return number[:6] + MASK * (len(number) - 10) + number[-4:]
