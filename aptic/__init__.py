"""The #APTIC platform: the digital culture voucher."""

# Celery finds its application here (`celery -A aptic worker`).
from .celery import app as celery_app  # noqa: E402

__all__ = ["celery_app"]
