"""Domain errors: raised by services, shown to the user as they are (in French).

The web layer turns them into form errors or messages, the API into HTTP 4xx answers.
"""


class DomainError(Exception):
    """A rule of the product was broken; `message` is written for the user, in French."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field

    def __str__(self):
        return self.message


class AccessDenied(DomainError):
    def __init__(self, message: str = "Vous n'avez pas accès à cette page.", **kwargs):
        kwargs.setdefault("code", "forbidden")
        super().__init__(message, **kwargs)
