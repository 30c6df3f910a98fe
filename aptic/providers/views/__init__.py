"""Pages of the provider's journey: the public request, the provider's space, the funder's sponsorships
and the staff's review. Each view is thin: access mark, form, one service or selector call, rendering."""

from .funder import sponsorships
from .public import apply, apply_done
from .space import charter, dashboard, questionnaire, subscription, subscription_cancel
from .staff import review, review_list, staff_subscription, staff_subscriptions

__all__ = [
    "apply",
    "apply_done",
    "charter",
    "dashboard",
    "questionnaire",
    "review",
    "review_list",
    "sponsorships",
    "staff_subscription",
    "staff_subscriptions",
    "subscription",
    "subscription_cancel",
]
