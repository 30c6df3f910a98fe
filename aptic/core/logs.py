"""Logging filters named by settings.LOGGING."""

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """django.request logs a refused request (403 PermissionDenied, 400 SuspiciousOperation…) with the
    exception's traceback, and a refusal raised from a domain error carries that one chained: two
    tracebacks for an ordinary "you may not see this". A client error is one line; a 5xx keeps its
    traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
