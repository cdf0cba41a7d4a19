"""``hotline triage …``: the JSON-lines contract, bad lines, train/evaluate round trip."""

import io
import json

from django.core.management import call_command

from hotline.triage.batch import assess_lines
from hotline.triage.tests.samples import write_jsonl, writer_rows

KEYS = {
    "id",
    "appeal_type",
    "category",
    "urgency",
    "vulnerable",
    "epidemic_related",
    "district",
    "town",
    "village",
    "place_ambiguous",
    "reasons",
}


def _run(lines):
    out = []
    errors = assess_lines(lines, out.append)
    return errors, [json.loads(x) for x in out]


def test_assess_lines_contract():
    errors, rows = _run(['{"id": 7, "text": "我在茂南区公馆镇，健康码变黄了"}'])
    assert errors == 0
    row = rows[0]
    assert set(row) >= KEYS
    assert row["id"] == 7 and row["district"] == "茂南区" and row["town"] == "公馆镇"
    assert row["village"] is None and isinstance(row["reasons"], list)


def test_bad_lines_get_error_lines_and_the_rest_goes_on():
    lines = [
        '{"id": 1, "text": "核酸点在哪"}',
        "not json",
        "",
        '{"id": 3}',
        "[1, 2]",
        '{"id": 5, "text": "我在河西街道"}',
    ]
    errors, rows = _run(lines)
    assert errors == 3
    assert rows[1] == {"line": 2, "error": rows[1]["error"]} and "JSON" in rows[1]["error"]
    assert rows[2]["line"] == 4 and rows[2]["id"] == 3
    assert rows[3]["line"] == 5
    assert rows[4]["id"] == 5 and rows[4]["town"] is None and len(rows[4]["place_ambiguous"]) == 2


def test_management_command_assess_reads_a_file(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "楼下着火了"}\n{oops\n', encoding="utf-8")
    out = io.StringIO()
    call_command("triage", "assess", "--input", str(src), stdout=out)
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert rows[0]["urgency"] == "critical" and rows[0]["category"] == "safety"
    assert rows[1]["line"] == 2


def test_train_then_evaluate_with_a_custom_label(tmp_path):
    data = tmp_path / "own.jsonl"
    rows = []
    for i in range(6):
        rows.append({"title": f"路灯坏了{i}", "body": "晚上很黑", "kind": "城建"})
        rows.append({"title": f"工资拖欠{i}", "body": "老板不给钱", "kind": "劳动"})
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    model = tmp_path / "own.npz"
    out = io.StringIO()
    call_command(
        "triage",
        "train",
        "--input",
        str(data),
        "--text-fields",
        "title,body",
        "--label-field",
        "kind",
        "--out",
        str(model),
        stdout=out,
    )
    assert json.loads(out.getvalue())["heads"] == {"kind": ["劳动", "城建"]}
    out = io.StringIO()
    call_command("triage", "evaluate", "--model", str(model), "--input", str(data), stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert "confusion matrix" in out.getvalue()
    summary = json.loads(lines[-1])
    assert summary["n"] == 12 and summary["accuracy"] == 1.0 and "macro_f1" in summary
    out = io.StringIO()
    call_command(
        "triage",
        "evaluate",
        "--input",
        str(data),
        "--text-fields",
        "title,body",
        "--label-field",
        "kind",
        "--cv",
        "2",
        stdout=out,
    )
    assert json.loads(out.getvalue().strip().splitlines()[-1])["cv"] == 2


def test_check_reports_the_targets(tmp_path):
    data = tmp_path / "h.jsonl"
    data.write_text(
        json.dumps(
            {
                "text": "楼下着火了",
                "category": "safety",
                "urgency": "critical",
                "vulnerable": [],
                "town": None,
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("triage", "check", "--input", str(data), stdout=out)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["critical_recall"] == 1.0 and summary["n"] == 1


def test_sweep_prints_one_line_per_threshold(tmp_path):
    data = tmp_path / "u.jsonl"
    rows = []
    for i in range(10):
        rows.append({"text": f"我奶奶断药了{i}", "urgency": "urgent", "template": i})
        rows.append({"text": f"请问核酸点在哪{i}", "urgency": "normal", "template": 100 + i})
    data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    out = io.StringIO()
    call_command("triage", "sweep", "--input", str(data), "--folds", "2", stdout=out)
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [x["threshold"] for x in lines] == [0.3, 0.4, 0.5, 0.6, 0.7]
    assert all(0 <= x["false_alarm_rate"] <= 1 for x in lines)


def test_train_reads_several_files_and_keeps_the_operating_point(tmp_path):
    a = write_jsonl(tmp_path / "a.jsonl", writer_rows(4, 0))
    b = write_jsonl(tmp_path / "b.jsonl", writer_rows(4, 10))
    model = tmp_path / "m.npz"
    out = io.StringIO()
    call_command(
        "triage",
        "train",
        "--input",
        a,
        b,
        "--label-field",
        "category,urgency",
        "--out",
        str(model),
        "--urgent-threshold",
        "0.55",
        stdout=out,
    )
    reply = json.loads(out.getvalue())
    assert reply["n_train"] == 16 and reply["operating_point"] == {"urgent": 0.55}
    from hotline.triage.model import TextModel

    assert TextModel.load(model).operating_point == {"urgent": 0.55}


def test_operating_point_holds_out_each_file_and_chooses_within_budget(tmp_path):
    files = [write_jsonl(tmp_path / f"w{n}.jsonl", writer_rows(5, 10 * n)) for n in range(3)]
    base = write_jsonl(tmp_path / "base.jsonl", writer_rows(5, 100))
    out = io.StringIO()
    call_command(
        "triage",
        "operating-point",
        "--input",
        *files,
        "--train-only",
        base,
        "--critical",
        "0.5",
        "--urgent",
        "0.3,0.6",
        "--vulnerable",
        "0.4,0.99",
        stdout=out,
    )
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    chosen = rows.pop()["chosen"]
    pairs = [r for r in rows if "critical_threshold" in r]
    flags = [r for r in rows if "flag" in r]
    assert [(r["critical_threshold"], r["urgent_threshold"]) for r in pairs] == [
        (0.5, 0.3),
        (0.5, 0.6),
    ]
    assert all(r["n"] == 30 for r in pairs)  # every held file once, the base never
    assert chosen["n"] == 30 and chosen["false_alarm_rate"] <= 0.10
    assert chosen["urgent_threshold"] in (0.3, 0.6)
    # one threshold per flag the files hold, each the grid's best for the pooled micro-F1
    assert {r["flag"] for r in flags} == {"elderly", "sick"}
    for flag in ("elderly", "sick"):
        tried = [r for r in flags if r["flag"] == flag][-2:]
        assert chosen[f"vulnerable:{flag}_threshold"] in (0.4, 0.99)
        assert max(r["vulnerable_micro_f1"] for r in tried) == max(
            r["vulnerable_micro_f1"]
            for r in tried
            if r["threshold"] == chosen[f"vulnerable:{flag}_threshold"]
        )


def test_operating_point_refuses_bad_arguments(tmp_path):
    import pytest
    from django.core.management.base import CommandError

    one = write_jsonl(tmp_path / "one.jsonl", writer_rows(3, 0))
    with pytest.raises(CommandError, match="at least two files"):
        call_command("triage", "operating-point", "--input", one)
    with pytest.raises(CommandError, match="between 0 and 1"):
        call_command("triage", "operating-point", "--input", one, one, "--urgent", "4")
    with pytest.raises(CommandError, match="numbers"):
        call_command("triage", "operating-point", "--input", one, one, "--critical", "高")
    with pytest.raises(CommandError, match="between 0 and 1"):
        call_command("triage", "operating-point", "--input", one, one, "--budget", "10")
    with pytest.raises(CommandError, match="between 0 and 1"):
        call_command(
            "triage", "train", "--input", one, "--out", str(tmp_path / "m.npz"),
            "--urgent-threshold", "2",
        )  # fmt: skip
