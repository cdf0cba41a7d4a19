"""The reserve's domain error (the API answers with its status and stable code)."""

from hotline.common.api_errors import DomainError


class ReserveError(DomainError):
    """A reserve action refused: 409 for a state or rule (suspended, full, already decided),
    403 for permission, 404 unknown, 422 for bad input. The message says what to do."""

    status = 409
    code = "reserve_error"


def forbidden(message: str = "您没有权限进行此操作。", code: str = "forbidden") -> ReserveError:
    return ReserveError(message, code=code, status=403)


def not_found(message: str, code: str = "not_found") -> ReserveError:
    return ReserveError(message, code=code, status=404)


def invalid(message: str, code: str = "invalid") -> ReserveError:
    return ReserveError(message, code=code, status=422)
