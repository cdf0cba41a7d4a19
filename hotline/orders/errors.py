"""The domain error of the orders app (the API maps it to its status and stable code)."""

from hotline.common.api_errors import DomainError


class OrderError(DomainError):
    """An order action refused: 409 for the order's state, 403 for permission, 404 unknown,
    422 for bad input the schema could not catch. The message tells a person what to do."""

    status = 409
    code = "order_error"


def forbidden(message: str, code: str = "forbidden") -> OrderError:
    return OrderError(message, code=code, status=403)


def not_found(number: str) -> OrderError:
    return OrderError(f"找不到工单 {number}，请核对工单编号。", code="order_not_found", status=404)


def invalid(message: str, code: str = "invalid") -> OrderError:
    return OrderError(message, code=code, status=422)
