"""The domain error of the intake app."""

from hotline.common.api_errors import DomainError


class IntakeError(DomainError):
    """A door refused a request: 400 bad input, 401 bad signature, 403 not allowed, 404
    unknown, 429 too many tries. The message tells a person what to do."""

    status = 400
    code = "intake_error"
