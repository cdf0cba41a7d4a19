"""The domain error of the workforce app (the API maps it to its status and stable code)."""

from hotline.common.api_errors import DomainError


class WorkforceError(DomainError):
    """A workforce action refused: 409 for a state conflict, 403 for permission, 404 unknown,
    422 bad input. The message tells a person what to do."""

    status = 409
    code = "workforce_error"


def forbidden(message: str, code: str = "forbidden") -> WorkforceError:
    return WorkforceError(message, code=code, status=403)


def invalid(message: str, code: str = "invalid") -> WorkforceError:
    return WorkforceError(message, code=code, status=422)
