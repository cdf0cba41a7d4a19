"""Request shapes of the intake doors (pydantic v2)."""

from __future__ import annotations

from ninja import Field, Schema

from hotline.orders.schemas import DivisionCode, Text


class HookMessageIn(Schema):
    """One inbound message of an SMS / WeChat / 12345-app webhook."""

    message_id: str = Field(min_length=1, max_length=80, pattern=r"^[\x21-\x7e]+$")
    text: Text = Field(min_length=1, max_length=4000)
    phone: str = Field("", max_length=32, pattern=r"^[0-9+\- ]*$")
    name: Text = Field("", max_length=64)
    address: Text = Field("", max_length=255)
    sender_id: str = Field("", max_length=100)
    town_code: DivisionCode | None = None
    village_code: DivisionCode | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    media_url: str | None = Field(None, max_length=500, pattern=r"^https?://")
