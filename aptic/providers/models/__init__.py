"""The provider's journey: request, qualification, charter, subscription; 'labelled' derives from them."""

from .charter import CharterAcceptance, CharterVersion
from .qualification import (
    AnswerOption,
    QualificationTheme,
    Question,
    Questionnaire,
    Submission,
    SubmissionAnswer,
    SubmissionOutcome,
)
from .structure import Provider, ProviderEvent, ProviderStatus
from .subscription import KitShipment, PaymentMethod, Sponsorship, Subscription, SubscriptionPlan

__all__ = [
    "AnswerOption",
    "CharterAcceptance",
    "CharterVersion",
    "KitShipment",
    "PaymentMethod",
    "Provider",
    "ProviderEvent",
    "ProviderStatus",
    "QualificationTheme",
    "Question",
    "Questionnaire",
    "Sponsorship",
    "Submission",
    "SubmissionAnswer",
    "SubmissionOutcome",
    "Subscription",
    "SubscriptionPlan",
]
