"""Rebuild the shipped model: ``python -m training.triage_retrain --version default-N`` (from the
repository root; the labelled files are in ``data/triage/``).

Two steps, both documented in docs/TRIAGE.md: choose the operating point holding out one writer's
file at a time (:func:`hotline.triage.batch.sweep_operating_point`, the templated
``train.jsonl`` always trained on), then train on every file of
:data:`training.triage_dataset.SHIPPED_TRAINING` with those thresholds and write
``hotline/triage/data/default_model.npz``. Takes about two minutes; needs scikit-learn but no
database.

``--add FILE …`` adds labelled files of the city's own, such as the agents' corrections written by
``hotline triage export-corrections``: each is held out in turn like a writer's file and then
trained on, so the thresholds are chosen on the city's own appeals too.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from hotline.triage.batch import DEFAULT_LABELS, sweep_operating_point, train_file
from hotline.triage.model import DEFAULT_MODEL_PATH
from training.triage_dataset import DATA_DIR, SHIPPED_TRAINING


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", required=True, help="e.g. default-9")
    parser.add_argument("--out", default=str(DEFAULT_MODEL_PATH))
    parser.add_argument("--add", nargs="+", default=[], help="more labelled JSON-lines files")
    args = parser.parse_args(argv)
    paths = [DATA_DIR / name for name in SHIPPED_TRAINING] + [Path(p) for p in args.add]
    templated, writers = paths[:1], paths[1:]
    rows, chosen = sweep_operating_point(writers, train_only=templated)
    for row in rows:
        print(json.dumps(row, ensure_ascii=False))
    print(json.dumps({"chosen": chosen}, ensure_ascii=False))
    point = {k.removesuffix("_threshold"): v for k, v in chosen.items() if k.endswith("_threshold")}
    model = train_file(
        paths, ["text"], DEFAULT_LABELS, args.out, version=args.version, operating_point=point
    )
    print(
        json.dumps(
            {
                "out": args.out,
                "version": model.version,
                "n_train": model.meta["n_train"],
                "operating_point": model.operating_point,
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
