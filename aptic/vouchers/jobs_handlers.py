"""The vouchers' background work: the daily expiry of orders past their grace date."""

from aptic.jobs.registry import handler
from aptic.jobs.schedule import periodic

from .lifecycle import vouchers_expire

periodic("vouchers.expire", hour=2)


@handler("vouchers.expire")
def expire(job, progress) -> dict:
    expired = vouchers_expire()
    progress(len(expired), len(expired), f"{sum(expired.values())} chèque(s) expiré(s).")
    return {"orders": {str(order_id): count for order_id, count in expired.items()}}
