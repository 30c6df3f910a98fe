"""Quotes, invoices, credit notes, payments and the territorial fund (ADR 0014).

Quotes are working documents: a draft changes until it is sent, then only its acceptance moves.
Invoices, credit notes, the credits they apply, payments and fund movements are accounting
documents: inserted once, never updated nor deleted (database triggers, see migrations); a
mistake is corrected by a credit note. Every amount is in integer cents.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from aptic.accounts.models import LegalCategory, Organisation, OrganisationKind
from aptic.core.files import private_storage_callable
from aptic.vouchers.models import FACE_VALUE_MAX_CENTS, FACE_VALUE_MIN_CENTS, MAX_QUANTITY, Activation, UsageRules

# Buyers under the public procurement code (Code de la commande publique): local authorities, their
# CCAS, public bodies and chambers (établissements publics). Their quotes and invoices state its
# late-payment terms, and they file invoices in Chorus Pro (ADR 0045).
PUBLIC_CATEGORIES = frozenset(
    {
        LegalCategory.REGION,
        LegalCategory.DEPARTEMENT,
        LegalCategory.EPCI,
        LegalCategory.COMMUNE,
        LegalCategory.CCAS,
        LegalCategory.PUBLIC_BODY,
        LegalCategory.CHAMBER,
    }
)
# Chorus Pro's references: the commitment number (numéro d'engagement, BT-13) and the service code
# (code service, BT-10), in the characters the French rules allow in identifiers (BR-FR-02).
COMMITMENT_MAX, SERVICE_CODE_MAX = 50, 100
REFERENCE_CHARS = r"^[A-Za-z0-9+\-_/]+$"


def is_public_buyer(legal_category: str) -> bool:
    return legal_category in PUBLIC_CATEGORIES


FEE_RATE = Decimal("0.04")
VAT_RATE = Decimal("0.20")
FUND_RATE = Decimal("0.01")
# An option's price excl. VAT (ADR 0022): beyond, a typing mistake.
OPTION_MAX_CENTS = 500_000_00  # 500,000 €


class Offer(models.Model):
    """Standard / Plus / Premium (PRODUCT.md "The three offers"): seeded by a migration, edited by staff."""

    code = models.SlugField("code", max_length=20, unique=True)
    name = models.CharField("nom", max_length=50)
    position = models.PositiveSmallIntegerField("ordre", default=0)
    minimum_quantity = models.PositiveIntegerField("commande minimale (chèques)")
    allows_booklet_5 = models.BooleanField("carnets de 5 chèques", default=False)
    allows_booklet_10 = models.BooleanField("carnets de 10 chèques", default=True)
    allows_custom_cover = models.BooleanField("couverture personnalisée", default=False)
    allows_platform_distribution = models.BooleanField("distribution par la plateforme", default=False)
    allows_network_delivery = models.BooleanField("livraison au réseau de distribution", default=False)
    allows_service_targeting = models.BooleanField("ciblage des services payables", default=False)
    white_label_exports = models.BooleanField("exports en marque blanche", default=False)
    is_active = models.BooleanField("proposée", default=True)

    class Meta:
        verbose_name = "offre"
        verbose_name_plural = "offres"
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(minimum_quantity__gt=0), name="offer_minimum_positive"),
            models.CheckConstraint(
                condition=models.Q(allows_booklet_5=True) | models.Q(allows_booklet_10=True),
                name="offer_has_a_booklet_size",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def booklet_sizes(self) -> list[int]:
        return [size for size, allowed in ((5, self.allows_booklet_5), (10, self.allows_booklet_10)) if allowed]


class RequestStatus(models.TextChoices):
    NEW = "new", "À traiter"
    QUOTED = "quoted", "Devis préparé"
    CLOSED = "closed", "Classée sans suite"


class QuoteRequest(models.Model):
    """The public contact form: who asks, for what. No account yet."""

    organisation_name = models.CharField("organisation", max_length=200)
    siren = models.CharField("SIREN", max_length=9)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    legal_category = models.CharField(
        "catégorie juridique", max_length=20, choices=LegalCategory.choices, default=LegalCategory.OTHER
    )
    address = models.CharField("adresse", max_length=250)
    commune = models.ForeignKey("territories.Commune", verbose_name="commune", on_delete=models.PROTECT)
    territory = models.CharField("territoire visé", max_length=300, blank=True)
    contact_name = models.CharField("contact", max_length=150)
    email = models.EmailField("e-mail")
    phone = models.CharField("téléphone", max_length=30, blank=True)
    objectives = models.TextField("objectifs", max_length=3000)
    quantity = models.PositiveIntegerField("nombre de chèques envisagé")
    wished_offer = models.ForeignKey(
        Offer, verbose_name="offre souhaitée", on_delete=models.PROTECT, null=True, blank=True
    )
    publics = models.ManyToManyField("vocabulary.Public", blank=True, verbose_name="publics visés", related_name="+")
    categories = models.ManyToManyField(
        "vocabulary.ServiceCategory", blank=True, verbose_name="services visés", related_name="+"
    )
    status = models.CharField("état", max_length=10, choices=RequestStatus.choices, default=RequestStatus.NEW)
    closed_reason = models.CharField("motif de classement", max_length=250, blank=True)
    created_at = models.DateTimeField("reçue le", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "demande de devis"
        verbose_name_plural = "demandes de devis"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=RequestStatus.values), name="quote_request_status"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="quote_request_quantity_positive"),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | ~models.Q(closed_reason=""), name="quote_request_closed_reason"
            ),
        ]

    def __str__(self):
        return f"Demande n° {self.pk} — {self.organisation_name}"


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SENT = "sent", "Envoyé"
    ACCEPTED = "accepted", "Accepté, à valider"
    VALIDATED = "validated", "Validé : commande créée"
    CANCELLED = "cancelled", "Annulé"


class AcceptanceKind(models.TextChoices):
    SIGNED_QUOTE = "signed_quote", "Devis signé"
    PURCHASE_ORDER = "purchase_order", "Bon de commande (marché public)"


class Quote(UsageRules):
    number = models.CharField("numéro", max_length=20, unique=True, null=True, blank=True)
    request = models.ForeignKey(
        QuoteRequest, verbose_name="demande", on_delete=models.PROTECT, null=True, blank=True, related_name="quotes"
    )
    # The funder once known (an existing one, or the one created at validation).
    funder = models.ForeignKey(
        Organisation,
        verbose_name="commanditaire",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quotes",
        limit_choices_to={"kind": OrganisationKind.FUNDER},
    )
    # The buyer as written on the quote (and later on the invoice).
    buyer_name = models.CharField("client", max_length=200)
    buyer_siren = models.CharField("SIREN", max_length=9)
    buyer_siret = models.CharField("SIRET", max_length=14, blank=True)
    buyer_legal_category = models.CharField(
        "catégorie juridique", max_length=20, choices=LegalCategory.choices, default=LegalCategory.OTHER
    )
    buyer_address = models.CharField("adresse", max_length=250)
    buyer_commune = models.ForeignKey("territories.Commune", verbose_name="commune", on_delete=models.PROTECT)
    contact_name = models.CharField("contact", max_length=150)
    contact_email = models.EmailField("e-mail du contact")
    # What is sold.
    offer = models.ForeignKey(Offer, verbose_name="offre", on_delete=models.PROTECT)
    quantity = models.PositiveIntegerField("nombre de chèques")
    face_value_cents = models.PositiveIntegerField("valeur faciale (centimes)", default=1000)
    booklet_size = models.PositiveSmallIntegerField("chèques par carnet", default=10)
    fee_rate = models.DecimalField("taux des frais", max_digits=5, decimal_places=4, default=FEE_RATE)
    vat_rate = models.DecimalField("taux de TVA", max_digits=5, decimal_places=4, default=VAT_RATE)
    valid_until = models.DateField("devis valable jusqu'au")
    # The funder's rules, carried into the order at validation.
    activation = models.CharField("activation", max_length=20, choices=Activation.choices, default="on_distribution")
    # The other usage rules come from UsageRules; on a quote, the categories are the services payable.
    rule_categories = models.ManyToManyField(
        "vocabulary.ServiceCategory", blank=True, verbose_name="services payables", related_name="+"
    )
    publics = models.ManyToManyField("vocabulary.Public", blank=True, verbose_name="publics visés", related_name="+")
    sponsored_providers = models.ManyToManyField(
        "providers.Provider", blank=True, verbose_name="abonnements parrainés", related_name="+"
    )
    # Totals, computed by pricing.price() whenever the draft changes (kept for lists and the PDF).
    face_total_cents = models.PositiveBigIntegerField("valeur faciale totale", default=0)
    fee_cents = models.PositiveBigIntegerField("frais de gestion HT", default=0)
    options_cents = models.PositiveBigIntegerField("options HT", default=0)
    vat_cents = models.PositiveBigIntegerField("TVA", default=0)
    total_cents = models.PositiveBigIntegerField("total TTC", default=0)
    status = models.CharField("état", max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    pdf = models.BinaryField("PDF", null=True, blank=True, editable=False)
    # The acceptance link e-mailed to the contact: only its hash is kept.
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    acceptance_kind = models.CharField(
        "acceptation", max_length=20, choices=AcceptanceKind.choices, blank=True, default=""
    )
    purchase_order_ref = models.CharField("référence du bon de commande", max_length=100, blank=True)
    commitment_number = models.CharField("numéro d'engagement", max_length=COMMITMENT_MAX, blank=True)
    service_code = models.CharField("code service", max_length=SERVICE_CODE_MAX, blank=True)
    acceptance_file = models.FileField(
        "document d'acceptation", storage=private_storage_callable, upload_to="billing/acceptances/", blank=True
    )
    accepted_by_name = models.CharField("accepté par", max_length=150, blank=True)
    accepted_at = models.DateTimeField("accepté le", null=True, blank=True)
    refusal_reason = models.CharField("motif du refus de l'acceptation", max_length=250, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    validated_at = models.DateTimeField("validé le", null=True, blank=True)
    order = models.OneToOneField(
        "vouchers.Order", verbose_name="commande", on_delete=models.PROTECT, null=True, blank=True, related_name="quote"
    )

    class Meta:
        verbose_name = "devis"
        verbose_name_plural = "devis"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=QuoteStatus.values), name="quote_status"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="quote_quantity_positive"),
            models.CheckConstraint(condition=models.Q(booklet_size__in=[5, 10]), name="quote_booklet_size"),
            models.CheckConstraint(condition=models.Q(face_value_cents__gt=0), name="quote_face_value_positive"),
            models.CheckConstraint(
                condition=models.Q(
                    face_value_cents__gte=FACE_VALUE_MIN_CENTS, face_value_cents__lte=FACE_VALUE_MAX_CENTS
                )
                & models.Q(quantity__lte=MAX_QUANTITY),
                name="quote_amounts_in_range",
            ),
            # Sent and later quotes carry their number; drafts and only drafts may have none.
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "cancelled"]) | models.Q(number__isnull=False),
                name="quote_sent_has_number",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["accepted", "validated"])
                | (~models.Q(acceptance_kind="") & models.Q(accepted_at__isnull=False)),
                name="quote_accepted_has_acceptance",
            ),
            models.CheckConstraint(
                condition=~models.Q(acceptance_kind="purchase_order") | ~models.Q(purchase_order_ref=""),
                name="quote_purchase_order_has_ref",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="validated") | models.Q(order__isnull=False),
                name="quote_validated_has_order",
            ),
        ]

    def __str__(self):
        return f"Devis {self.number or f'(brouillon n° {self.pk})'} — {self.buyer_name}"

    @property
    def label(self) -> str:
        return self.number or f"brouillon n° {self.pk}"


class OptionKind(models.TextChoices):
    CUSTOM_COVER = "custom_cover", "Couverture personnalisée des carnets"
    PLATFORM_DISTRIBUTION = "platform_distribution", "Distribution des chèques par l'équipe #APTIC"
    NETWORK_DELIVERY = "network_delivery", "Livraison au réseau de distribution"
    SPONSORSHIP = "sponsorship", "Prise en charge d'abonnements de structures"


class QuoteOption(models.Model):
    """An option sold with the quote, at a price set for this quote (excl. VAT)."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="options")
    kind = models.CharField("option", max_length=30, choices=OptionKind.choices)
    amount_cents = models.PositiveIntegerField("prix HT (centimes)")

    class Meta:
        verbose_name = "option"
        verbose_name_plural = "options"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "kind"], name="quote_option_once"),
            models.CheckConstraint(condition=models.Q(kind__in=OptionKind.values), name="quote_option_kind"),
            models.CheckConstraint(condition=models.Q(amount_cents__gt=0), name="quote_option_priced"),
            models.CheckConstraint(
                condition=models.Q(amount_cents__lte=OPTION_MAX_CENTS), name="quote_option_in_range"
            ),
        ]

    def __str__(self):
        return self.get_kind_display()


class DocumentKind(models.TextChoices):
    QUOTE = "quote", "Devis"
    INVOICE = "invoice", "Facture"
    CREDIT_NOTE = "credit_note", "Avoir"


PREFIXES = {DocumentKind.QUOTE: "D", DocumentKind.INVOICE: "F", DocumentKind.CREDIT_NOTE: "A"}


class DocumentCounter(models.Model):
    """The last number given per kind of document and year; locked while a number is taken (numbering.py)."""

    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "compteur de numérotation"
        verbose_name_plural = "compteurs de numérotation"
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="document_counter_unique"),
            models.CheckConstraint(condition=models.Q(kind__in=DocumentKind.values), name="document_counter_kind"),
        ]

    def __str__(self):
        return f"{self.kind} {self.year} : {self.last}"


class Invoice(models.Model):
    """The invoice of an order: face value (outside VAT), fee and options (VAT 20 %), less credits."""

    number = models.CharField("numéro", max_length=20, unique=True)
    issued_on = models.DateField("émise le")
    due_on = models.DateField("à payer avant le")
    funder = models.ForeignKey(Organisation, verbose_name="commanditaire", on_delete=models.PROTECT, related_name="+")
    order = models.OneToOneField(
        "vouchers.Order", verbose_name="commande", on_delete=models.PROTECT, related_name="invoice"
    )
    quote = models.ForeignKey(Quote, verbose_name="devis", on_delete=models.PROTECT, null=True, blank=True)
    buyer_name = models.CharField("client", max_length=200)
    buyer_siren = models.CharField("SIREN", max_length=9, blank=True)
    buyer_siret = models.CharField("SIRET", max_length=14, blank=True)
    buyer_address = models.CharField("adresse", max_length=250, blank=True)
    buyer_postcode = models.CharField("code postal", max_length=10, blank=True)
    buyer_city = models.CharField("ville", max_length=100, blank=True)
    purchase_order_ref = models.CharField("bon de commande", max_length=100, blank=True)
    commitment_number = models.CharField("numéro d'engagement", max_length=COMMITMENT_MAX, blank=True)
    service_code = models.CharField("code service", max_length=SERVICE_CODE_MAX, blank=True)
    face_total_cents = models.PositiveBigIntegerField("valeur faciale")
    fee_cents = models.PositiveBigIntegerField("frais de gestion HT")
    options_cents = models.PositiveBigIntegerField("options HT")
    vat_cents = models.PositiveBigIntegerField("TVA")
    total_cents = models.PositiveBigIntegerField("total TTC")
    credits_cents = models.PositiveBigIntegerField("avoirs déduits", default=0)
    due_cents = models.PositiveBigIntegerField("net à payer")
    pdf = models.BinaryField("PDF Factur-X", editable=False)
    ledger_transaction = models.OneToOneField(
        "ledger.Transaction", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("enregistrée le", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "facture"
        verbose_name_plural = "factures"
        ordering = ["-issued_on", "-number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    total_cents=models.F("face_total_cents")
                    + models.F("fee_cents")
                    + models.F("options_cents")
                    + models.F("vat_cents")
                ),
                name="invoice_total_adds_up",
            ),
            models.CheckConstraint(
                condition=models.Q(due_cents=models.F("total_cents") - models.F("credits_cents")),
                name="invoice_due_adds_up",
            ),
        ]

    def __str__(self):
        return f"Facture {self.number}"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    label = models.CharField("désignation", max_length=200)
    quantity = models.PositiveIntegerField("quantité")
    unit_price_cents = models.PositiveBigIntegerField("prix unitaire HT")
    amount_cents = models.PositiveBigIntegerField("montant HT")
    vat_rate = models.DecimalField("taux de TVA", max_digits=5, decimal_places=4)
    vat_cents = models.PositiveBigIntegerField("TVA")

    class Meta:
        verbose_name = "ligne de facture"
        verbose_name_plural = "lignes de facture"
        ordering = ["invoice", "position"]
        constraints = [models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position")]

    def __str__(self):
        return self.label


class CreditNoteKind(models.TextChoices):
    EXPIRY = "expiry", "Chèques expirés"
    CORRECTION = "correction", "Correction de facture"


class CreditNote(models.Model):
    """Money given back to a funder: expired vouchers' face value, or a correction of an invoice's fee or
    options. Its ledger posting is `ledger_transaction` (one credit note per posting)."""

    number = models.CharField("numéro", max_length=20, unique=True)
    issued_on = models.DateField("émis le")
    kind = models.CharField("nature", max_length=12, choices=CreditNoteKind.choices)
    funder = models.ForeignKey(Organisation, verbose_name="commanditaire", on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(
        "vouchers.Order", verbose_name="commande", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    invoice = models.ForeignKey(
        Invoice, verbose_name="facture corrigée", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    buyer_name = models.CharField("client", max_length=200)
    voucher_count = models.PositiveIntegerField("chèques expirés", default=0)
    face_total_cents = models.PositiveBigIntegerField("valeur faciale", default=0)
    amount_excl_vat_cents = models.PositiveBigIntegerField("montant HT soumis à TVA", default=0)
    vat_cents = models.PositiveBigIntegerField("TVA", default=0)
    total_cents = models.PositiveBigIntegerField("total")
    reason = models.CharField("motif", max_length=250)
    pdf = models.BinaryField("PDF Factur-X", editable=False)
    ledger_transaction = models.OneToOneField("ledger.Transaction", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("enregistré le", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "avoir"
        verbose_name_plural = "avoirs"
        ordering = ["-issued_on", "-number"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=CreditNoteKind.values), name="credit_note_kind"),
            models.CheckConstraint(condition=models.Q(total_cents__gt=0), name="credit_note_positive"),
            models.CheckConstraint(
                condition=models.Q(
                    total_cents=models.F("face_total_cents") + models.F("amount_excl_vat_cents") + models.F("vat_cents")
                ),
                name="credit_note_total_adds_up",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="expiry") | models.Q(order__isnull=False, voucher_count__gt=0),
                name="credit_note_expiry_has_order",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="correction") | models.Q(invoice__isnull=False),
                name="credit_note_correction_has_invoice",
            ),
        ]

    def __str__(self):
        return f"Avoir {self.number}"


class CreditApplication(models.Model):
    """Part of a credit note deducted from a later invoice."""

    credit_note = models.ForeignKey(CreditNote, on_delete=models.PROTECT, related_name="applications")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_applications")
    amount_cents = models.PositiveBigIntegerField("montant déduit")

    class Meta:
        verbose_name = "avoir déduit"
        verbose_name_plural = "avoirs déduits"
        constraints = [
            models.UniqueConstraint(fields=["credit_note", "invoice"], name="credit_application_once"),
            models.CheckConstraint(condition=models.Q(amount_cents__gt=0), name="credit_application_positive"),
        ]

    def __str__(self):
        return f"{self.credit_note_id} → {self.invoice_id}"


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", "Virement"
    PUBLIC_TREASURY = "public_treasury", "Mandat administratif (Trésor public)"
    CHEQUE = "cheque", "Chèque bancaire"


class Payment(models.Model):
    """The payment of an invoice's net amount, recorded by staff (one per invoice: paid in full)."""

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="payment")
    amount_cents = models.PositiveBigIntegerField("montant")
    received_on = models.DateField("reçu le")
    method = models.CharField("moyen", max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField("référence", max_length=100, blank=True)
    ledger_transaction = models.OneToOneField("ledger.Transaction", on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("enregistré le", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "paiement"
        verbose_name_plural = "paiements"
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_cents__gt=0), name="payment_positive"),
            models.CheckConstraint(condition=models.Q(method__in=PaymentMethod.values), name="payment_method"),
        ]

    def __str__(self):
        return f"Paiement de la facture {self.invoice_id}"


class FundMovement(models.Model):
    """1 % of a paid order's face value, set aside for the fund of its funder's territory
    (the territory of providers.selectors.funder_territory: the funder's département, or région)."""

    territory_kind = models.CharField("échelon", max_length=12)
    territory_code = models.CharField("code", max_length=5)
    territory_name = models.CharField("territoire", max_length=100)
    funder = models.ForeignKey(Organisation, verbose_name="commanditaire", on_delete=models.PROTECT, related_name="+")
    order = models.OneToOneField(
        "vouchers.Order", verbose_name="commande", on_delete=models.PROTECT, related_name="fund_movement"
    )
    face_total_cents = models.PositiveBigIntegerField("valeur faciale de la commande")
    amount_cents = models.PositiveBigIntegerField("montant")
    ledger_transaction = models.OneToOneField("ledger.Transaction", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("le", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "abondement du fonds territorial"
        verbose_name_plural = "abondements du fonds territorial"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["territory_kind", "territory_code"], name="fund_territory_idx")]
        constraints = [models.CheckConstraint(condition=models.Q(amount_cents__gt=0), name="fund_movement_positive")]

    def __str__(self):
        return f"Fonds {self.territory_name} : commande {self.order_id}"
