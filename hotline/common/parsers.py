"""The API's JSON parser: ninja's, refusing text that holds NUL.

PostgreSQL cannot store text holding the character U+0000, nor even compare a column with it:
any request body carrying one in a string that reaches a query failed in the database (a 500
on PostgreSQL, while SQLite took it). No field of the API has a use for it, so one check here
covers every endpoint instead of a validator on each text field. JSON can only carry it
escaped (``\\u0000``; a raw NUL byte is not valid JSON and is refused as unparseable), so a
body without that escape is parsed as before, at the cost of one substring search."""

from __future__ import annotations

import json
from typing import Any

from ninja.parser import Parser


class NulInText(ValueError):
    """A string of the request body holds U+0000."""


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


class JSONParser(Parser):
    def parse_body(self, request):
        data = json.loads(request.body)
        # the escape may also be a backslash written as text ("\\u0000"): look, then make sure
        if b"\\u0000" in request.body and _holds_nul(data):
            raise NulInText
        return data
