"""Masking of personal data for display (个人信息脱敏).

Used wherever a person's phone, name, ID number or address is shown to someone who does not need the
full value. The masks keep just enough to recognise a caller on the phone ("the number ending
1234") without disclosing the number.
"""

from __future__ import annotations

import re

MASK = "*"

#: Suffixes that end an administrative part of a Chinese address (province … village). "小区"
#: (a housing estate) is not one: its name narrows the address down to a few buildings.
_DIVISION_END = re.compile(
    r"省|自治区|自治州|地区|市|(?<!小)区|县|旗|街道|镇|乡|村委会|居委会|村|社区"
)


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


def mask_address(address: str | None) -> str:
    """茂南区公馆镇某某村3巷12号 → 茂南区公馆镇某某村****: the divisions are kept (they say which
    unit handles the matter), the street, house and room are not. Without any division → ****."""
    if not address:
        return ""
    address = address.strip()
    keep = 0
    for match in _DIVISION_END.finditer(address):
        keep = match.end()
    return address[:keep] + (MASK * 4 if keep < len(address) else "")


def mask_coordinate(degrees: float | None) -> float | None:
    """A latitude or longitude rounded to 0.01° (about 1 km): the area, not the house."""
    return None if degrees is None else round(degrees, 2)
