"""`python -m training.triage_retrain`: thresholds chosen by writer, then one model on all."""

import json
import os

import numpy as np
import pytest

from hotline.triage.model import TextModel, get_model
from hotline.triage.tests.samples import write_jsonl, writer_rows
from training import triage_retrain as retrain


def _file(path, offset):
    write_jsonl(path, writer_rows(6, offset))
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


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs no database: it runs once, in the SQLite pass",
)
def test_the_shipped_model_is_what_retrain_makes(tmp_path, capsys):
    """About 100 s. Fails when a data file or a rule changed and the model was not retrained:
    run `python -m training.triage_retrain --version default-N` (docs/TRIAGE.md)."""
    shipped = get_model()
    out = tmp_path / "again.npz"
    assert retrain.main(["--version", shipped.version, "--out", str(out)]) == 0
    again = TextModel.load(out)
    assert again.operating_point == shipped.operating_point
    assert again.meta["n_train"] == shipped.meta["n_train"]
    assert np.allclose(again.weights, shipped.weights, atol=1e-6)
    assert np.allclose(again.bias, shipped.bias, atol=1e-6)
