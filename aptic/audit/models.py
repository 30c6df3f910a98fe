"""The audit journal (ADR 0019): who of the platform team did what, to what, for whom, when; and
who changed an organisation's members (invitations, roles, removals), team or not.

This app imports nothing but core (users and organisations are named by string), so that every
app, accounts included, writes to it.

One append-only table: rows are only ever inserted (database triggers refuse updates, and deletes
on PostgreSQL, as for the ledger). Labels are snapshots taken when the action happened, so the
journal still reads right after a rename; the foreign keys are PROTECT, so nobody who acted can
vanish from it.
"""

import datetime
import re

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from aptic.core import formats

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # a date as details store it (JSON)


class AuditAction(models.TextChoices):
    # Quotes and invoices (billing)
    QUOTE_CREATED = "quote.created", "Devis préparé"
    QUOTE_UPDATED = "quote.updated", "Devis modifié"
    QUOTE_SENT = "quote.sent", "Devis envoyé"
    QUOTE_LINK_RENEWED = "quote.link_renewed", "Lien du devis renouvelé"
    QUOTE_VALIDATED = "quote.validated", "Devis validé"
    QUOTE_ACCEPTANCE_REFUSED = "quote.acceptance_refused", "Acceptation du devis refusée"
    QUOTE_CANCELLED = "quote.cancelled", "Devis annulé"
    QUOTE_REQUEST_CLOSED = "quote_request.closed", "Demande de devis close"
    INVOICE_ISSUED = "invoice.issued", "Facture émise"
    PAYMENT_RECORDED = "payment.recorded", "Paiement enregistré"
    CREDIT_NOTE_ISSUED = "credit_note.issued", "Avoir émis"
    # Places and providers
    PLACES_IMPORTED = "places.imported", "Lieux importés"
    SUBMISSION_REVIEWED = "provider.submission_reviewed", "Qualification décidée"
    SUBSCRIPTION_PAYMENT = "provider.subscription_payment", "Paiement d'abonnement enregistré"
    KIT_SHIPPED = "provider.kit_shipped", "Envoi du kit enregistré"
    # Payouts
    BANK_DETAILS_REVIEWED = "bank_details.reviewed", "Coordonnées bancaires vérifiées ou refusées"
    RUN_CREATED = "payout_run.created", "Virement préparé"
    RUN_TAKEN = "payout_run.taken", "Préparation du virement reprise"
    RUN_APPROVED = "payout_run.approved", "Virement approuvé (seconde signature)"
    RUN_EXPORTED = "payout_run.exported", "Export SEPA lancé"
    RUN_PAID = "payout_run.paid", "Virement marqué payé"
    RUN_RESUMED = "payout_run.resumed", "Travail du virement relancé"
    RUN_CANCELLED = "payout_run.cancelled", "Virement annulé"
    PAYOUT_REJECTED = "payout.rejected", "Remboursement écarté"
    # Vouchers, printing, distribution
    VOUCHER_STOPPED = "voucher.stopped", "Chèque mis en opposition"
    VOUCHER_STOP_LIFTED = "voucher.stop_lifted", "Opposition du chèque levée"
    ORDER_ISSUED = "order.issued", "Commande de chèques émise"
    PRINT_RELEASED = "print.released", "Impression lancée"
    PRINT_COVER_UPLOADED = "print.cover_uploaded", "Couverture déposée"
    PRINT_NAME_CHANGED = "print.name_changed", "Nom imprimé sur les chèques modifié"
    PRINT_REGENERATED = "print.regenerated", "Fichiers d'impression refaits"
    SHIPMENT_RECORDED = "shipment.recorded", "Expédition de carnets enregistrée"
    MAILING_MAILED = "mailing.mailed", "Envoi postal posté"
    # Steering data (issue #14): the team reading a funder's dashboard
    DASHBOARD_VIEWED = "dashboard.viewed", "Tableau de bord d'un commanditaire consulté"
    # Memberships (by an organisation's administrators as well as the team)
    MEMBER_INVITED = "membership.invited", "Invitation envoyée"
    INVITATION_REVOKED = "membership.invitation_revoked", "Invitation annulée"
    INVITATION_ACCEPTED = "membership.invitation_accepted", "Invitation acceptée"
    MEMBER_ROLE_CHANGED = "membership.role_changed", "Rôle d'un membre changé"
    MEMBER_REMOVED = "membership.removed", "Membre retiré"


# French labels of the keys written in `details` by the services.
DETAIL_LABELS = {
    "amount_cents": "Montant (centimes)",
    "approved": "Accordée",
    "booklets": "Carnets",
    "count": "Nombre",
    "covered_until": "Payé jusqu'au",
    "email": "Adresse e-mail",
    "file": "Fichier",
    "filters": "Filtres",
    "invoice": "Facture",
    "justification": "Justification",
    "kind": "Type",
    "mailed_on": "Posté le",
    "order": "Commande",
    "places_created": "Lieux créés",
    "previous_role": "Rôle précédent",
    "providers_created": "Structures créées",
    "quantity": "Quantité",
    "reason": "Motif",
    "received_on": "Reçu le",
    "recipient": "Destinataire",
    "role": "Rôle",
    "rows": "Lignes",
    "run": "Virement",
    "sha256": "Empreinte SHA-256",
    "shipped_on": "Expédié le",
    "submission": "Réponse au questionnaire",
    "tracking": "Suivi",
    "verified": "Vérifiées",
    "vouchers": "Chèques",
}


def _shown(value) -> str:
    """A detail as a French reader reads it (found in review: "Carnets 5000", "2026-12-02")."""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return formats.number(value)
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, str) and ISO_DAY.fullmatch(value):
        return formats.date(datetime.date.fromisoformat(value))
    return str(value)


class AuditEvent(models.Model):
    created_at = models.DateTimeField("date", default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
        help_text="Vide seulement pour une tâche automatique.",
    )
    actor_label = models.CharField("auteur (au moment de l'action)", max_length=300)
    action = models.CharField("action", max_length=50, choices=AuditAction.choices)
    action_label = models.CharField("libellé de l'action", max_length=200)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="type d'objet"
    )
    target_id = models.CharField("identifiant de l'objet", max_length=64, blank=True)
    target_label = models.CharField("objet (au moment de l'action)", max_length=300, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="organisation concernée",
    )
    details = models.JSONField("détails", default=dict, blank=True)

    class Meta:
        verbose_name = "action de l'équipe"
        verbose_name_plural = "journal des actions de l'équipe"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["actor", "-created_at"], name="audit_actor_idx"),
            models.Index(fields=["organisation", "-created_at"], name="audit_organisation_idx"),
            models.Index(fields=["action", "-created_at"], name="audit_action_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(actor_label=""), name="audit_actor_label_set"),
        ]

    def __str__(self):
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.actor_label} — {self.action_label}"

    def details_display(self) -> list[tuple[str, str]]:
        """The details as (French label, text) pairs, for the staff page."""
        rows = []
        for key, value in (self.details or {}).items():
            if value is None or value == "" or value == []:
                continue  # an empty reason says nothing
            rows.append((DETAIL_LABELS.get(key, key), _shown(value)))
        return rows
