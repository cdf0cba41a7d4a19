from ninja import Schema


class DivisionOut(Schema):
    code: str
    name: str
    short_name: str
    level: str
    parent: str | None


class UnitOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    division: str | None
    parent: str | None
    duty_phone: str
    active: bool
