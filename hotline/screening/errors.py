"""The domain error of the screening app (the API maps it to its status and stable code)."""

from hotline.common.api_errors import DomainError


class ScreeningError(DomainError):
    """A ledger or report action refused: 409 state, 403 permission, 404 unknown, 422 input."""

    status = 409
    code = "screening_error"


def forbidden(message: str, code: str = "forbidden") -> ScreeningError:
    return ScreeningError(message, code=code, status=403)


def not_found(message: str = "找不到该记录，或不在本单位范围内。") -> ScreeningError:
    return ScreeningError(message, code="not_found", status=404)


def invalid(message: str, code: str = "invalid") -> ScreeningError:
    return ScreeningError(message, code=code, status=422)
