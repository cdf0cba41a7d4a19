"""`hotline triage export-corrections`: overrides become labelled training lines."""

import json

import pytest
from django.core.management import CommandError, call_command

from hotline.accounts.roles import Role
from hotline.orders.services import receive


def test_export_writes_the_corrected_labels(demo_city, make_user, tmp_path):
    agent = make_user(Role.AGENT, "center")
    receive(agent, channel="phone", description="公馆镇有人家里着火了，浓烟很大", urgency="normal")
    receive(agent, channel="phone", description="请问公馆镇核酸采样点几点开门")  # no override
    out = tmp_path / "corrections.jsonl"
    call_command("triage", "export-corrections", "--output", str(out))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 1
    row = rows[0]
    assert row["text"].startswith("公馆镇有人家里着火")
    assert row["urgency"] == "normal"
    assert row["corrected"] == ["urgency"]
    assert row["triage"]["urgency"] == "critical"


def test_export_rejects_a_bad_date(db):
    with pytest.raises(CommandError, match="日期格式有误"):
        call_command("triage", "export-corrections", "--since", "昨天")
