"""Beneficiaries rate the service their vouchers paid; staff moderate the comments.

- A rating is given from the voucher's public page once the voucher is spent, and only once per
  service act (redemption): vouchers spent together share one rating.
- It is written with the redemption's place and offer, so a place's average needs no join.
- A comment with a web or e-mail address is held for moderation: the score counts, the comment
  is not shown until staff publish it. Staff may hide a rating (it then counts nowhere) or show
  it again, always with a reason.
- Ratings of a cancelled redemption count nowhere.
"""

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, QuerySet
from django.utils import timezone

from aptic.core.errors import DomainError

from .models import Rating, RatingStatus, Redemption, Voucher, VoucherStatus

COMMENT_MAX = 1000
REASON_MAX = 250
RECENT_COMMENTS = 5
HELD_REASON = "Retenu automatiquement : le commentaire contient une adresse web ou e-mail."

_EMAIL = re.compile(r"[\w.+-]+\s*(?:@|\(at\)|\[at\])\s*[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
_URL = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\d?\.|"
    # A bare domain name: something.fr, exemple.com/page…
    r"\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:fr|com|net|org|eu|info|io|co|me|be|ch|re|biz|xyz|app|site|"
    r"online|shop|ly|gl|gg|tk|link|click|top|store|pro|bzh|paris|corsica|ovh)\b)",
    re.IGNORECASE,
)


def needs_moderation(comment: str) -> bool:
    """A web or e-mail address in a comment: advertising, spam or personal data until staff look."""
    return bool(_URL.search(comment) or _EMAIL.search(comment))


RATABLE = (VoucherStatus.REDEEMED, VoucherStatus.REIMBURSED)


def ratable_redemption(voucher: Voucher) -> Redemption | None:
    """The live redemption this voucher paid, which its holder may rate; None otherwise."""
    if voucher.status not in RATABLE or voucher.redemption_id is None:
        return None
    redemption = voucher.redemption
    return None if redemption.cancelled_at else redemption


def rating_of_redemption(redemption: Redemption) -> Rating | None:
    return Rating.objects.filter(redemption=redemption).first()


@transaction.atomic
def rating_create(*, voucher: Voucher, score: int, comment: str = "") -> Rating:
    """The holder of a spent voucher rates the service it paid (1 to 5, optional comment)."""
    voucher = Voucher.objects.select_related("redemption").get(pk=voucher.pk)
    redemption = ratable_redemption(voucher)
    if redemption is None:
        raise DomainError(
            "Ce chèque n'a pas encore payé de service : vous pourrez donner votre avis une fois le chèque utilisé.",
            code="not_redeemed",
        )
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise DomainError("Choisissez une note de 1 à 5.", field="score")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise DomainError(
            f"Le commentaire est trop long : {COMMENT_MAX} caractères au plus (il en a {len(comment)}).",
            field="comment",
        )
    # Two holders of the same service rating at once: the row lock serialises them, the unique
    # constraint on the redemption is the last barrier.
    Redemption.objects.select_for_update().filter(pk=redemption.pk).first()
    if Rating.objects.filter(redemption=redemption).exists():
        raise DomainError("Ce service a déjà été noté. Merci pour votre avis !", code="already_rated")
    held = needs_moderation(comment)
    try:
        with transaction.atomic():
            return Rating.objects.create(
                redemption=redemption,
                voucher=voucher,
                place_id=redemption.place_id,
                offer_id=redemption.offer_id,
                score=score,
                comment=comment,
                status=RatingStatus.HELD if held else RatingStatus.PUBLISHED,
                moderation_reason=HELD_REASON if held else "",
            )
    except IntegrityError:
        raise DomainError("Ce service a déjà été noté. Merci pour votre avis !", code="already_rated") from None


def _moderate(rating: Rating, status: str, actor, reason: str, *, missing: str) -> Rating:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(missing, field="reason")
    rating = Rating.objects.select_for_update().get(pk=rating.pk)
    rating.status = status
    rating.moderated_at = timezone.now()
    rating.moderated_by = actor
    rating.moderation_reason = reason[:REASON_MAX]
    rating.save(update_fields=["status", "moderated_at", "moderated_by", "moderation_reason"])
    return rating


@transaction.atomic
def rating_hide(*, rating: Rating, actor, reason: str) -> Rating:
    """Staff hide a rating: its score leaves the average and its comment the place page."""
    return _moderate(rating, RatingStatus.HIDDEN, actor, reason, missing="Indiquez pourquoi cet avis est masqué.")


@transaction.atomic
def rating_show(*, rating: Rating, actor, reason: str) -> Rating:
    """Staff publish a held or hidden rating: it counts again and its comment is shown."""
    return _moderate(rating, RatingStatus.PUBLISHED, actor, reason, missing="Indiquez pourquoi cet avis est publié.")


# Selectors


def counted_ratings(place_id: int) -> QuerySet[Rating]:
    """The ratings of a place that count: not hidden, of a redemption still standing."""
    return Rating.objects.filter(place_id=place_id, redemption__cancelled_at__isnull=True).exclude(
        status=RatingStatus.HIDDEN
    )


@dataclass(frozen=True)
class PlaceRatings:
    average: float | None
    count: int
    comments: list


def place_ratings(place_id: int, *, comments: int = RECENT_COMMENTS) -> PlaceRatings:
    """Average and count of the counted ratings, and the latest published comments (with their offer)."""
    totals = counted_ratings(place_id).aggregate(average=Avg("score"), count=Count("pk"))
    recent = []
    if totals["count"]:
        recent = list(
            counted_ratings(place_id)
            .filter(status=RatingStatus.PUBLISHED)
            .exclude(comment="")
            .select_related("offer")
            .order_by("-created_at", "-pk")[:comments]
        )
    return PlaceRatings(average=totals["average"], count=totals["count"], comments=recent)
