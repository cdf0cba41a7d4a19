"""``hotline triage {assess,train,evaluate,sweep,check}``: thin wrapper over hotline.triage.batch.

Works without a migrated database: no system checks, no migration checks, no queries.
"""

from __future__ import annotations

import argparse
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from hotline.triage import batch


def _fields(value: str | None) -> list[str] | None:
    return [f.strip() for f in value.split(",") if f.strip()] if value else None


def _probability(value: str) -> float:
    """An argparse type: a threshold between 0 and 1."""
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"must be a number between 0 and 1, not {value!r}")
    return number


def _thresholds(value: str) -> list[float]:
    try:
        numbers = [float(v) for v in _fields(value) or []]
    except ValueError as exc:
        raise CommandError(f"thresholds must be numbers separated by commas: {value!r}") from exc
    if not numbers or not all(0.0 <= v <= 1.0 for v in numbers):
        raise CommandError(f"thresholds must lie between 0 and 1: {value!r}")
    return numbers


class Command(BaseCommand):
    help = "Triage appeals in batch, train and evaluate triage models (no database needed)."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        a = sub.add_parser("assess", help='JSON lines {"id","text"} in, one assessment line out')
        a.add_argument("--input", help="JSON-lines file (default: stdin)")
        a.add_argument("--model", help="model file (default: the shipped model)")
        t = sub.add_parser("train", help="train a model from labelled JSON lines")
        t.add_argument("--input", required=True, nargs="+", help="one or more JSON-lines files")
        t.add_argument("--text-fields", default="text", help="comma-separated, e.g. title,text")
        t.add_argument(
            "--label-field",
            default=",".join(batch.DEFAULT_LABELS),
            help="one label field, or several comma-separated for a multi-head model",
        )
        t.add_argument("--out", required=True, help="model file to write (.npz)")
        t.add_argument("--version", help="model version string (default: the file stem)")
        t.add_argument(
            "--critical-threshold", type=_probability, help="P(critical) at which the model raises"
        )
        t.add_argument(
            "--urgent-threshold", type=_probability, help="P(critical)+P(urgent) at which it raises"
        )
        t.add_argument(
            "--vulnerable-threshold",
            type=_probability,
            help="P(flag) at which the model adds a flag",
        )
        e = sub.add_parser("evaluate", help="per-class table, confusion matrix, JSON summary")
        e.add_argument("--input", required=True)
        e.add_argument("--model", help="model file (default: the shipped model)")
        e.add_argument("--text-fields")
        e.add_argument("--label-field")
        e.add_argument("--cv", type=int, default=0, help="k-fold cross-validate train+evaluate")
        e.add_argument(
            "--baseline",
            action="store_true",
            help="with --cv: also score plain char TF-IDF + LinearSVC on the same folds",
        )
        w = sub.add_parser("sweep", help="urgency head alone: out-of-fold recall by threshold")
        w.add_argument("--input", required=True)
        w.add_argument("--folds", type=int, default=5)
        o = sub.add_parser(
            "operating-point",
            help="whole pipeline by urgency thresholds, each file held out in turn",
        )
        o.add_argument("--input", required=True, nargs="+", help="two or more JSON-lines files")
        o.add_argument(
            "--train-only", nargs="+", default=[], help="files always trained on, never held out"
        )
        o.add_argument("--critical", help="comma-separated P(critical) thresholds to try")
        o.add_argument("--urgent", help="comma-separated P(critical)+P(urgent) thresholds")
        o.add_argument("--vulnerable", help="comma-separated P(flag) thresholds")
        o.add_argument(
            "--budget", type=_probability, default=0.10, help="most false alarms allowed"
        )
        c = sub.add_parser("check", help="score assess() against the triage targets")
        c.add_argument("--input", required=True)
        c.add_argument("--model")
        c.add_argument("--show-misses", action="store_true")

        x = sub.add_parser(
            "export-corrections",
            help="orders whose triage a person corrected, as labelled JSON lines (needs the DB)",
        )
        x.add_argument("--output", help="file to write (default: standard output)")
        x.add_argument("--since", help="only corrections from this date, e.g. 2022-11-05")

    def handle(self, *args, **options):
        action = options["action"]
        try:
            if action == "export-corrections":
                self._export_corrections(options)
            elif action == "assess":
                self._assess(options)
            elif action == "train":
                labels = _fields(options["label_field"]) or list(batch.DEFAULT_LABELS)
                point = {
                    level: options[f"{level}_threshold"]
                    for level in ("critical", "urgent", "vulnerable")
                    if options[f"{level}_threshold"] is not None
                }
                model = batch.train_file(
                    options["input"],
                    _fields(options["text_fields"]) or ["text"],
                    labels,
                    options["out"],
                    version=options["version"],
                    operating_point=point,
                )
                self.stdout.write(
                    json.dumps(
                        {
                            "out": options["out"],
                            "version": model.version,
                            "heads": {h: s["classes"] for h, s in model.heads.items()},
                            "n_train": model.meta["n_train"],
                            "operating_point": model.operating_point,
                        },
                        ensure_ascii=False,
                    )
                )
            elif action == "evaluate":
                table, summary = batch.evaluate_file(
                    options["input"],
                    model_path=options["model"],
                    text_fields=_fields(options["text_fields"]),
                    label_field=options["label_field"],
                    cv=options["cv"],
                    baseline=options["baseline"],
                )
                self.stdout.write(table)
                self.stdout.write(json.dumps(summary, ensure_ascii=False))
            elif action == "sweep":
                for row in batch.sweep_urgency(options["input"], folds=options["folds"]):
                    self.stdout.write(json.dumps(row))
            elif action == "operating-point":
                grid = {
                    name: _thresholds(options[name])
                    for name in ("critical", "urgent", "vulnerable")
                    if options[name]
                }
                rows, best = batch.sweep_operating_point(
                    options["input"],
                    train_only=options["train_only"],
                    budget=options["budget"],
                    **grid,
                )
                for row in rows:
                    self.stdout.write(json.dumps(row, ensure_ascii=False))
                self.stdout.write(json.dumps({"chosen": best}, ensure_ascii=False))
            elif action == "check":
                misses, summary = batch.check_file(options["input"], model_path=options["model"])
                if options["show_misses"] and misses:
                    self.stdout.write(misses)
                self.stdout.write(json.dumps(summary, ensure_ascii=False))
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from exc

    def _assess(self, options):
        model = None
        if options["model"]:
            from hotline.triage.model import get_model

            model = get_model(options["model"])
        out = self.stdout
        if options["input"]:
            with open(options["input"], encoding="utf-8") as fh:
                batch.assess_lines(fh, out.write, model=model)
        else:
            batch.assess_lines(sys.stdin, out.write, model=model)

    def _export_corrections(self, options):
        """Write overridden orders as JSON lines that `triage train` reads (label fields
        appeal_type, category, urgency; text fields title,text)."""
        import datetime as dt

        from django.utils import timezone

        from hotline.orders.queries import triage_corrections

        since = None
        if options["since"]:
            try:
                day = dt.date.fromisoformat(options["since"])
            except ValueError:
                raise CommandError(
                    f"--since 日期格式有误：{options['since']}，应为 2022-11-05。"
                ) from None
            since = dt.datetime.combine(day, dt.time.min, timezone.get_current_timezone())
        lines = (json.dumps(row, ensure_ascii=False) for row in triage_corrections(since))
        n = 0
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as fh:
                for line in lines:
                    fh.write(line + "\n")
                    n += 1
        else:
            for line in lines:
                self.stdout.write(line)
                n += 1
        self.stderr.write(f"已导出 {n} 条人工更正。")
