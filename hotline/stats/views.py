"""Pages of the stats app: the board (/stats/), the league table, the daily report and the
CSV/Excel of every table. Every page reads ``queries`` within the user's scope."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from . import exports, queries
from .choices import Table
from .errors import StatsError
from .forms import PeriodForm, ReportForm


def _refused(request, exc: StatsError) -> HttpResponse:
    return render(request, "stats/refused.html", {"message": str(exc)}, status=exc.status)


def _period(request):
    form = PeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        raise StatsError("日期格式有误，应为 2022-11-05。", code="invalid_date")
    data = form.cleaned_data if form.is_bound else {}
    return form, queries.make_period(data.get("start"), data.get("end"))


def _report_period(request):
    form = ReportForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        raise StatsError(
            "日期或截止时间有误：日期如 2022-11-05，截止时间为 1–24 时。", code="invalid_date"
        )
    data = form.cleaned_data if form.is_bound else {}
    period = queries.make_period(data.get("day"), data.get("day"), data.get("cutoff") or 24)
    if not form.is_bound:
        form = ReportForm(initial={"day": period.end, "cutoff": period.cutoff_hour})
    return form, period


def _board_context(request):
    scope = queries.scope_for(request.user)
    form, period = _period(request)
    if not form.is_bound:
        form = PeriodForm(initial={"start": period.start, "end": period.end})
    figures = queries.board(scope, period)
    tables = [exports.table(t, board=figures) for t in (
        Table.HOURS, Table.CHANNELS, Table.CATEGORIES, Table.TOWNS, Table.PIPELINE, Table.OVERDUE
    )]  # fmt: skip
    return {
        "form": form,
        "f": figures,
        "period": period,
        "scope": scope,
        "query": f"start={period.start}&end={period.end}",
        "tables": dict(
            zip(
                [
                    Table.HOURS,
                    Table.CHANNELS,
                    Table.CATEGORIES,
                    Table.TOWNS,
                    Table.PIPELINE,
                    Table.OVERDUE,
                ],
                tables,
                strict=True,
            )
        ),
    }


@login_required
def board(request):
    """The live city board (supervisors, admins; a unit handler sees their unit's figures)."""
    try:
        context = _board_context(request)
    except StatsError as exc:
        return _refused(request, exc)
    return render(request, "stats/board.html", context)


@login_required
def board_panels(request):
    """The board's panels, re-rendered every 30 s by htmx (the charts redraw from them)."""
    try:
        context = _board_context(request)
    except StatsError as exc:
        return _refused(request, exc)
    return render(request, "stats/partials/panels.html", context)


@login_required
def league(request):
    """The league table of units and districts over a period."""
    try:
        scope = queries.scope_for(request.user)
        form, period = _period(request)
    except StatsError as exc:
        return _refused(request, exc)
    if not form.is_bound:
        form = PeriodForm(initial={"start": period.start, "end": period.end})
    table = queries.league(scope, period)
    return render(
        request,
        "stats/league.html",
        {
            "form": form,
            "t": table,
            "period": period,
            "scope": scope,
            "query": f"start={period.start}&end={period.end}",
        },
    )


def _report_data(request):
    scope = queries.require_city(request.user)
    form, period = _report_period(request)
    return form, period, queries.report(scope, period)


@login_required
def report(request):
    """The daily report (日报) on screen, with its Excel and PDF."""
    try:
        form, period, data = _report_data(request)
    except StatsError as exc:
        return _refused(request, exc)
    return render(
        request,
        "stats/report.html",
        {
            "form": form,
            "r": data,
            "f": data["figures"],
            "period": period,
            "query": f"day={period.end}&cutoff={period.cutoff_hour}",
        },
    )


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def report_xlsx(request):
    try:
        _form, period, data = _report_data(request)
    except StatsError as exc:
        return _refused(request, exc)
    return _download(exports.report_xlsx(data), exports.XLSX, f"daily-report-{period.end}.xlsx")


@login_required
def report_pdf(request):
    try:
        _form, period, data = _report_data(request)
    except StatsError as exc:
        return _refused(request, exc)
    return _download(exports.report_pdf(data), "application/pdf", f"daily-report-{period.end}.pdf")


@login_required
def export(request, table: str, fmt: str):
    """CSV or Excel of one table of the board or the league table, in the user's scope."""
    if table not in Table.values or fmt not in ("csv", "xlsx"):
        return _refused(
            request,
            StatsError(
                "没有这张统计表或格式（可选 csv、xlsx）。", code="unknown_table", status=404
            ),
        )
    try:
        scope = queries.scope_for(request.user)
        _form, period = _period(request)
    except StatsError as exc:
        return _refused(request, exc)
    if table in (Table.UNITS, Table.DISTRICTS):
        title, head, rows = exports.table(table, league=queries.league(scope, period))
    else:
        title, head, rows = exports.table(table, board=queries.board(scope, period))
    name = f"{table}-{period.start}-{period.end}"
    if fmt == "csv":
        return _download(exports.csv_bytes(head, rows), "text/csv; charset=utf-8", f"{name}.csv")
    return _download(exports.table_xlsx(title, head, rows), exports.XLSX, f"{name}.xlsx")
