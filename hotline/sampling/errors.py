"""The domain error of the sampling app (the API maps it to its status and stable code)."""

from hotline.common.api_errors import DomainError


class SamplingError(DomainError):
    """A sampling action refused: 409 for a state conflict, 403 permission, 404, 422 input."""

    status = 409
    code = "sampling_error"


def forbidden(message: str, code: str = "forbidden") -> SamplingError:
    return SamplingError(message, code=code, status=403)


def not_found(message: str, code: str = "not_found") -> SamplingError:
    return SamplingError(message, code=code, status=404)


def invalid(message: str, code: str = "invalid") -> SamplingError:
    return SamplingError(message, code=code, status=422)
