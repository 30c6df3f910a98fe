"""What waits for the platform team, counted by each app's own selectors, for the staff home."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class TodoItem:
    label: str  # French, before the count: "Demandes de devis à traiter"
    count: int
    url: str


def staff_todo() -> list[TodoItem]:
    """Each list of work waiting for staff, with how many items wait and the page that holds them."""
    from aptic.billing import selectors as billing
    from aptic.billing.models import QuoteStatus
    from aptic.payouts import selectors as payouts
    from aptic.providers import selectors as providers

    rows = [
        ("Demandes de devis à traiter", billing.requests_for_staff(), reverse("billing:staff_requests")),
        (
            "Devis acceptés à valider",
            billing.quotes_for_staff(QuoteStatus.ACCEPTED),
            reverse("billing:staff_quotes") + f"?etat={QuoteStatus.ACCEPTED}",
        ),
        ("Qualifications à examiner", providers.submissions_to_review(), reverse("providers:review_list")),
        ("Coordonnées bancaires à vérifier", payouts.bank_details_to_review(), reverse("payouts:staff_bank_details")),
        ("Remboursements à approuver (seconde signature)", payouts.runs_to_approve(), reverse("payouts:staff_runs")),
    ]
    return [TodoItem(label, queryset.count(), url) for label, queryset, url in rows]
