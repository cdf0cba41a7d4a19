"""The stats API: every figure of the board, the league table and the daily report, each
table as rows, and last year's counts. Supervisors and admins see the city; a unit handler
sees their unit's figures; the report and the history are the command centre's."""

from __future__ import annotations

from ninja import Query, Router

from hotline.accounts.roles import Role, has_role

from . import exports, queries, services
from .choices import Table
from .errors import forbidden
from .models import HistoryCount
from .schemas import (
    BoardOut,
    ErrorOut,
    HistoryIn,
    HistoryOut,
    HistoryRowOut,
    LeagueOut,
    PeriodIn,
    ReportIn,
    ReportOut,
    TableCode,
    TableOut,
)

router = Router(tags=["统计分析"])
ERRORS = {403: ErrorOut, 422: ErrorOut}


@router.get("/stats/board", response={200: BoardOut, **ERRORS}, summary="看板数据")
def board(request, q: Query[PeriodIn]):
    scope = queries.scope_for(request.user)
    return queries.board(scope, queries.make_period(q.start, q.end))


@router.get("/stats/league", response={200: LeagueOut, **ERRORS}, summary="承办单位与区县考核")
def league(request, q: Query[PeriodIn]):
    scope = queries.scope_for(request.user)
    return queries.league(scope, queries.make_period(q.start, q.end))


@router.get("/stats/report", response={200: ReportOut, **ERRORS}, summary="日报")
def report(request, q: Query[ReportIn]):
    scope = queries.require_city(request.user)
    return queries.report(scope, queries.make_period(q.day, q.day, q.cutoff))


@router.get("/stats/tables/{table}", response={200: TableOut, **ERRORS}, summary="统计表")
def table(request, table: TableCode, q: Query[PeriodIn]):
    scope = queries.scope_for(request.user)
    period = queries.make_period(q.start, q.end)
    if table in (Table.UNITS, Table.DISTRICTS):
        title, head, rows = exports.table(table, league=queries.league(scope, period))
    else:
        title, head, rows = exports.table(table, board=queries.board(scope, period))
    return {"title": title, "headers": head, "rows": rows}


@router.get("/stats/history", response={200: list[HistoryRowOut], **ERRORS}, summary="去年同期数据")
def history(request, q: Query[PeriodIn]):
    queries.require_city(request.user)
    period = queries.make_period(q.start, q.end)
    return list(
        HistoryCount.objects.filter(day__range=(period.start, period.end)).values(
            "day", "hour", "channel", "epidemic", "count"
        )
    )


@router.post("/stats/history", response={200: HistoryOut, **ERRORS}, summary="导入去年同期数据")
def import_history(request, body: HistoryIn):
    if not has_role(request.user, Role.ADMIN, Role.SUPERVISOR):
        raise forbidden("只有值班长和系统管理员可以导入历史数据。")
    return services.import_history(request.user, body.csv, source=body.source)
