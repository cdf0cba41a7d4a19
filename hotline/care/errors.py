"""The domain error of the care app (the API maps it to its status and stable code)."""

from hotline.common.api_errors import DomainError


class CareError(DomainError):
    """A care action refused: 409 state, 403 permission, 404 unknown, 422 bad input."""

    status = 409
    code = "care_error"


def forbidden(message: str, code: str = "forbidden") -> CareError:
    return CareError(message, code=code, status=403)


def not_found(message: str = "找不到该关爱需求或任务，或不在您的范围内。") -> CareError:
    return CareError(message, code="not_found", status=404)


def invalid(message: str, code: str = "invalid") -> CareError:
    return CareError(message, code=code, status=422)
