"""The domain error of the stats app (the API maps it to its status and stable code)."""

from hotline.common.api_errors import DomainError


class StatsError(DomainError):
    """A statistics request or write refused: 403 for permission, 422 for bad input."""

    status = 422
    code = "stats_error"


def forbidden(message: str = "只有值班长、系统管理员和承办单位可以查看统计。") -> StatsError:
    return StatsError(message, code="stats_forbidden", status=403)


def invalid(message: str, code: str = "invalid") -> StatsError:
    return StatsError(message, code=code, status=422)
