"""The domain error of the knowledge app (the API maps it to its status and stable code)."""

from hotline.common.api_errors import DomainError


class KnowledgeError(DomainError):
    """A knowledge-base action refused: 409 for the article's state, 403 for permission,
    404 unknown, 422 bad content. ``field`` names the offending field when there is one, so
    forms can show the message next to it."""

    status = 409
    code = "knowledge_error"

    def __init__(
        self,
        message: str,
        code: str | None = None,
        status: int | None = None,
        field: str | None = None,
    ):
        super().__init__(message, code=code, status=status)
        self.field = field
        #: Every bad field and its message (content validation reports all of them).
        self.errors: dict[str, str] = {field: message} if field else {}


def forbidden(message: str, code: str = "forbidden") -> KnowledgeError:
    return KnowledgeError(message, code=code, status=403)


def not_found(key: str) -> KnowledgeError:
    return KnowledgeError(
        f"找不到知识条目“{key}”，请核对条目编号。", code="article_not_found", status=404
    )


def invalid(message: str, field: str | None = None, code: str = "invalid") -> KnowledgeError:
    return KnowledgeError(message, code=code, status=422, field=field)
