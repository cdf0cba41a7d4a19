"""`python -m hotline.triage.retrain`: thresholds chosen by writer, then one model on all."""

import json

from hotline.triage import retrain
from hotline.triage.model import TextModel


def _file(path, offset):
    rows = []
    for i in range(6):
        k = offset + i
        rows.append({"text": f"我奶奶{k}岁药吃完了", "category": "medical", "appeal_type": "help",
                     "urgency": "urgent", "vulnerable": ["elderly", "sick"]})  # fmt: skip
        rows.append({"text": f"请问第{k}号核酸点几点开门", "category": "testing",
                     "appeal_type": "inquiry", "urgency": "normal", "vulnerable": []})  # fmt: skip
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path.name


def test_retrain_holds_out_each_writer_and_the_added_files(tmp_path, monkeypatch, capsys):
    names = tuple(_file(tmp_path / f"f{n}.jsonl", 10 * n) for n in range(3))
    monkeypatch.setattr(retrain, "DATA_DIR", tmp_path)
    monkeypatch.setattr(retrain, "SHIPPED_TRAINING", names)
    corrections = tmp_path / "corrections.jsonl"
    _file(corrections, 100)
    out = tmp_path / "m.npz"
    assert retrain.main(["--version", "t-1", "--out", str(out), "--add", str(corrections)]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    chosen = next(x["chosen"] for x in lines if "chosen" in x)
    assert chosen["n"] == 36  # f1, f2 and the corrections held out in turn; f0 always trained on
    model = TextModel.load(out)
    assert model.version == "t-1" and model.meta["n_train"] == 48
    assert model.operating_point["urgent"] == chosen["urgent_threshold"]
    assert "vulnerable:elderly" in model.operating_point
