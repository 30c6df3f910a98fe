"""Writes of the commercial side, from the quote request to the validated order (ADR 0014).

Invoices, payments, credit notes and the territorial fund are in invoicing.py (re-exported here).
"""

import datetime
import hashlib
import re
import secrets

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from aptic.accounts import services as accounts
from aptic.accounts.models import LegalCategory, Organisation, OrganisationKind, Role
from aptic.audit.services import AuditAction, audit_record
from aptic.core import clock, formats, identifiers
from aptic.core.errors import DomainError
from aptic.core.phones import clean_phone
from aptic.vouchers.issuance import face_value_range_message, order_create, order_issue
from aptic.vouchers.models import FACE_VALUE_MAX_CENTS, FACE_VALUE_MIN_CENTS, MAX_QUANTITY, RULE_FIELDS, Activation

from . import documents, numbering, pricing
from .invoicing import (  # noqa: F401  (one door for every write of the app)
    credit_note_correction_issue,
    expiry_credit_notes_issue,
    invoice_issue,
    payment_record,
)
from .models import (
    COMMITMENT_MAX,
    OPTION_MAX_CENTS,
    REFERENCE_CHARS,
    SERVICE_CODE_MAX,
    AcceptanceKind,
    DocumentKind,
    Offer,
    OptionKind,
    Quote,
    QuoteOption,
    QuoteRequest,
    QuoteStatus,
    RequestStatus,
)
from .uploads import check_pdf

QUOTE_VALIDITY_DAYS = 30
QUOTE_VALIDITY_MAX_DAYS = 365  # a price promised for longer would outlive the year's rates
OBJECTIVES_MAX = 3000
RULES = RULE_FIELDS  # the usage rules a draft carries (UsageRules)
# Which offer flag allows each option; sponsorships are open to every offer.
OPTION_FLAGS = {
    OptionKind.CUSTOM_COVER: "allows_custom_cover",
    OptionKind.PLATFORM_DISTRIBUTION: "allows_platform_distribution",
    OptionKind.NETWORK_DELIVERY: "allows_network_delivery",
}


def _thousands(n: int) -> str:
    return formats.number(n)


def clean_siren_siret(raw: str) -> tuple[str, str]:
    """(SIREN, SIRET or "") from 9 or 14 digits typed with any spaces, checked; else a French DomainError."""
    value = identifiers.clean_siret(
        raw,
        siren_allowed=True,
        missing="Indiquez le numéro SIREN (9 chiffres) ou SIRET (14 chiffres) de l'organisation.",
        invalid="Le numéro « {raw} » n'est ni un SIREN (9 chiffres) ni un SIRET (14 chiffres) valide : "
        "vérifiez-le sur annuaire-entreprises.data.gouv.fr.",
    )
    return (value, "") if len(value) == 9 else (value[:9], value)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _minimum_of(offer: Offer | None) -> int:
    if offer is not None:
        return offer.minimum_quantity
    return min(Offer.objects.filter(is_active=True).values_list("minimum_quantity", flat=True), default=1)


# --- Quote requests -------------------------------------------------------------------------------


@transaction.atomic
def quote_request_create(
    *,
    organisation_name: str,
    siret: str,
    legal_category: str,
    address: str,
    commune,
    contact_name: str,
    email: str,
    objectives: str,
    quantity: int,
    wished_offer: Offer | None = None,
    territory: str = "",
    phone: str = "",
    publics=(),
    categories=(),
    at=None,
) -> QuoteRequest:
    """`at`: when it was received (now by default, never to come)."""
    at = clock.moment(at)
    siren, siret = clean_siren_siret(siret)
    phone = clean_phone(phone, commune.departement_id if commune is not None else "")
    email = accounts.normalise_email(email)
    name = (organisation_name or "").strip()
    if not name:
        raise DomainError("Indiquez le nom de votre organisation.", field="organisation_name")
    if commune is None:
        raise DomainError("Indiquez la commune de votre organisation.", field="commune")
    if legal_category not in LegalCategory.values:
        raise DomainError("Choisissez une catégorie juridique dans la liste.", field="legal_category")
    if not (contact_name or "").strip():
        raise DomainError("Indiquez le nom de la personne à contacter.", field="contact_name")
    if not (objectives or "").strip():
        raise DomainError("Décrivez en quelques mots vos objectifs.", field="objectives")
    if wished_offer is not None and not wished_offer.is_active:
        raise DomainError("Cette offre n'est plus proposée : choisissez-en une autre.", field="wished_offer")
    if not isinstance(quantity, int) or quantity <= 0:
        raise DomainError("Indiquez un nombre de chèques.", field="quantity")
    minimum = _minimum_of(wished_offer)
    if quantity < minimum:
        offer_text = f"L'offre {wished_offer.name}" if wished_offer else "Une commande"
        raise DomainError(
            f"{offer_text} compte au moins {_thousands(minimum)} chèques ; vous en demandez {_thousands(quantity)}.",
            field="quantity",
        )
    if quantity > MAX_QUANTITY:
        raise DomainError(f"Une commande compte au plus {_thousands(MAX_QUANTITY)} chèques.", field="quantity")
    request = QuoteRequest.objects.create(
        organisation_name=name[:200],
        siren=siren,
        siret=siret,
        legal_category=legal_category,
        address=(address or "").strip()[:250],
        commune=commune,
        territory=(territory or "").strip()[:300],
        contact_name=contact_name.strip()[:150],
        email=email,
        phone=phone[:30],
        objectives=objectives.strip()[:OBJECTIVES_MAX],
        quantity=quantity,
        wished_offer=wished_offer,
        created_at=at,
    )
    request.publics.set(publics)
    request.categories.set(categories)
    return request


@transaction.atomic
def quote_request_close(*, request: QuoteRequest, actor, reason: str, at=None) -> QuoteRequest:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Indiquez pourquoi la demande est classée.", field="reason")
    request = QuoteRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.NEW:
        raise DomainError("Cette demande a déjà été traitée.")
    request.status, request.closed_reason = RequestStatus.CLOSED, reason[:250]
    request.save(update_fields=["status", "closed_reason"])
    audit_record(
        actor=actor,
        action=AuditAction.QUOTE_REQUEST_CLOSED,
        target=request,
        details={"reason": reason},
        at=_after(at, request.created_at),
    )
    return request


# --- Quotes ---------------------------------------------------------------------------------------


def _today() -> datetime.date:
    return timezone.localdate()


def _after(at, previous: datetime.datetime) -> datetime.datetime:
    """`at` (now by default, never to come), refused before the step it follows."""
    at = clock.moment(at)
    if at < previous:
        raise DomainError("Cette étape ne peut pas précéder la précédente.", field="at")
    return at


@transaction.atomic
def quote_create_from_request(*, request: QuoteRequest, actor, at=None) -> Quote:
    """A draft quote with the request's organisation, quantity, offer and wishes; staff complete it.
    `at`: when (now by default; never to come, nor before the request)."""
    request = QuoteRequest.objects.select_for_update().get(pk=request.pk)
    at = _after(at, request.created_at)
    if request.status == RequestStatus.CLOSED:
        raise DomainError("Cette demande a été classée : rouvrez-en une nouvelle pour faire un devis.")
    offer = request.wished_offer or Offer.objects.filter(is_active=True).order_by("position").first()
    if offer is None:
        raise DomainError("Aucune offre n'est proposée : ajoutez-en une dans le back-office.")
    existing = (
        Organisation.objects.filter(kind=OrganisationKind.FUNDER, siret=request.siret).first()
        if request.siret
        else None
    )
    quote = Quote.objects.create(
        request=request,
        funder=existing,
        buyer_name=request.organisation_name,
        buyer_siren=request.siren,
        buyer_siret=request.siret,
        buyer_legal_category=request.legal_category,
        buyer_address=request.address,
        buyer_commune=request.commune,
        contact_name=request.contact_name,
        contact_email=request.email,
        offer=offer,
        quantity=request.quantity,
        booklet_size=10 if offer.allows_booklet_10 else 5,
        valid_until=timezone.localdate(at) + datetime.timedelta(days=QUOTE_VALIDITY_DAYS),
        activation=Activation.ON_DISTRIBUTION,
        created_by=actor,
        created_at=at,
    )
    quote.publics.set(request.publics.all())
    if offer.allows_service_targeting:
        quote.rule_categories.set(request.categories.all())
    _store_totals(quote)
    if request.status == RequestStatus.NEW:
        request.status = RequestStatus.QUOTED
        request.save(update_fields=["status"])
    audit_record(actor=actor, action=AuditAction.QUOTE_CREATED, target=quote, organisation=existing, at=at)
    return quote


def check_terms(
    *, offer: Offer, quantity: int, booklet_size: int, face_value_cents: int, options: dict, categories=()
) -> None:
    """What the offers table allows; each refusal names the offer and what is wrong."""
    if not offer.is_active:
        raise DomainError(f"L'offre {offer.name} n'est plus proposée.", field="offer")
    if not isinstance(quantity, int) or quantity <= 0:
        raise DomainError("Indiquez le nombre de chèques.", field="quantity")
    if quantity < offer.minimum_quantity:
        raise DomainError(
            f"L'offre {offer.name} demande au moins {_thousands(offer.minimum_quantity)} chèques ; "
            f"ce devis en compte {_thousands(quantity)}.",
            field="quantity",
        )
    if quantity > MAX_QUANTITY:
        raise DomainError(f"Une commande compte au plus {_thousands(MAX_QUANTITY)} chèques.", field="quantity")
    if booklet_size not in offer.booklet_sizes:
        allowed = " ou ".join(str(s) for s in offer.booklet_sizes)
        raise DomainError(
            f"L'offre {offer.name} propose des carnets de {allowed} chèques, pas de {booklet_size}.",
            field="booklet_size",
        )
    if quantity % booklet_size:
        raise DomainError(
            f"{_thousands(quantity)} chèques ne font pas un nombre entier de carnets de {booklet_size} : "
            f"choisissez un multiple de {booklet_size}.",
            field="quantity",
        )
    if not isinstance(face_value_cents, int) or not FACE_VALUE_MIN_CENTS <= face_value_cents <= FACE_VALUE_MAX_CENTS:
        raise DomainError(face_value_range_message(), field="face_value")
    for kind, cents in options.items():
        label = OptionKind(kind).label
        flag = OPTION_FLAGS.get(kind)
        if flag and not getattr(offer, flag):
            raise DomainError(f"L'option « {label} » n'est pas comprise dans l'offre {offer.name}.", field=kind)
        if not isinstance(cents, int) or cents <= 0:
            raise DomainError(f"Le prix de l'option « {label} » doit être positif.", field=kind)
        if cents > OPTION_MAX_CENTS:
            raise DomainError(
                f"Le prix de l'option « {label} » dépasse {_thousands(OPTION_MAX_CENTS // 100)} € HT : "
                "vérifiez la saisie.",
                field=kind,
            )
        if cents % 5:
            # A price in steps of 5 cents keeps its 20 % VAT exact (ADR 0014).
            raise DomainError(
                f"Le prix de l'option « {label} » se donne par pas de 5 centimes (sa TVA tombe alors juste).",
                field=kind,
            )
    if categories and not offer.allows_service_targeting:
        raise DomainError(
            f"Le ciblage des services payables n'est pas compris dans l'offre {offer.name} (offre Premium).",
            field="rule_categories",
        )


def quote_pricing(quote: Quote) -> pricing.Pricing:
    options = [(OptionKind(o.kind).label, o.amount_cents) for o in quote.options.all()]
    return pricing.price(
        quantity=quote.quantity,
        face_value_cents=quote.face_value_cents,
        options=options,
        fee_rate=quote.fee_rate,
        vat_rate=quote.vat_rate,
    )


def _store_totals(quote: Quote) -> None:
    p = quote_pricing(quote)
    quote.face_total_cents, quote.fee_cents, quote.options_cents = p.face_total_cents, p.fee_cents, p.options_cents
    quote.vat_cents, quote.total_cents = p.vat_cents, p.total_cents
    quote.save(update_fields=["face_total_cents", "fee_cents", "options_cents", "vat_cents", "total_cents"])


def _locked_quote(quote: Quote, *statuses: str) -> Quote:
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.status not in statuses:
        raise DomainError(f"Le devis {quote.label} est « {quote.get_status_display().lower()} » : action impossible.")
    return quote


@transaction.atomic
def quote_update(
    *,
    quote: Quote,
    actor,
    offer: Offer,
    quantity: int,
    booklet_size: int,
    face_value_cents: int = 1000,
    valid_until: datetime.date,
    activation: str = Activation.ON_DISTRIBUTION,
    max_vouchers_per_act: int | None = None,
    options: dict | None = None,
    publics=(),
    sponsored_providers=(),
    at=None,
    **rules,
) -> Quote:
    """Change a draft. options: {OptionKind: price excl. VAT in cents}; rules: the RULES M2Ms. `at`:
    when (now by default; never to come, nor before the quote was made)."""
    unknown = set(rules) - set(RULES)
    if unknown:
        raise TypeError(f"quote_update() got unexpected arguments: {sorted(unknown)}")
    options = {k: v for k, v in (options or {}).items() if v}
    quote = _locked_quote(quote, QuoteStatus.DRAFT)
    at = _after(at, quote.created_at)
    check_terms(
        offer=offer,
        quantity=quantity,
        booklet_size=booklet_size,
        face_value_cents=face_value_cents,
        options=options,
        categories=list(rules.get("rule_categories") or []),
    )
    if not isinstance(valid_until, datetime.date) or valid_until < _today():
        raise DomainError("La date de validité du devis doit être aujourd'hui ou plus tard.", field="valid_until")
    if valid_until > _today() + datetime.timedelta(days=QUOTE_VALIDITY_MAX_DAYS):
        raise DomainError(
            f"Un devis est valable un an au plus : choisissez le "
            f"{formats.date(_today() + datetime.timedelta(days=QUOTE_VALIDITY_MAX_DAYS))} au plus tard.",
            field="valid_until",
        )
    if activation not in Activation.values:
        raise DomainError("Choisissez quand les chèques deviennent utilisables.", field="activation")
    if max_vouchers_per_act is not None and max_vouchers_per_act <= 0:
        raise DomainError("Le nombre de chèques par service doit être positif.", field="max_vouchers_per_act")
    quote.offer, quote.quantity, quote.booklet_size = offer, quantity, booklet_size
    quote.face_value_cents, quote.valid_until, quote.activation = face_value_cents, valid_until, activation
    quote.max_vouchers_per_act = max_vouchers_per_act
    quote.save()
    for name in RULES:
        getattr(quote, name).set(rules.get(name) or [])
    quote.publics.set(publics)
    quote.sponsored_providers.set(sponsored_providers)
    quote.options.all().delete()
    QuoteOption.objects.bulk_create([QuoteOption(quote=quote, kind=k, amount_cents=v) for k, v in options.items()])
    _store_totals(quote)
    audit_record(actor=actor, action=AuditAction.QUOTE_UPDATED, target=quote, organisation=quote.funder, at=at)
    return quote


def _send_link(quote: Quote, token: str) -> None:
    link = settings.SITE_URL + reverse("billing:quote_accept", kwargs={"token": token})
    send_mail(
        subject=f"Votre devis #APTIC {quote.number}",
        message=render_to_string("billing/email/quote.txt", {"quote": quote, "link": link}),
        from_email=None,
        recipient_list=[quote.contact_email],
    )


def _new_token(quote: Quote) -> None:
    token = secrets.token_urlsafe(32)
    quote.token_hash = _hash(token)
    quote.save(update_fields=["token_hash"])
    transaction.on_commit(lambda: _send_link(quote, token))


@transaction.atomic
def quote_send(*, quote: Quote, actor, at=None) -> Quote:
    """Number the quote, freeze it as a PDF and e-mail the contact a link to accept it. `at`: when
    (now by default; never to come, nor before the quote was made)."""
    quote = _locked_quote(quote, QuoteStatus.DRAFT)
    at = _after(at, quote.created_at)
    today = timezone.localdate(at)
    check_terms(
        offer=quote.offer,
        quantity=quote.quantity,
        booklet_size=quote.booklet_size,
        face_value_cents=quote.face_value_cents,
        options={o.kind: o.amount_cents for o in quote.options.all()},
        categories=list(quote.rule_categories.all()),
    )
    if quote.valid_until < today:
        raise DomainError("La date de validité du devis est passée : changez-la avant d'envoyer.", field="valid_until")
    _store_totals(quote)
    quote.number = numbering.number_next(kind=DocumentKind.QUOTE, year=today.year)
    quote.status, quote.sent_at = QuoteStatus.SENT, at
    quote.pdf = documents.quote_pdf(quote, quote_pricing(quote), issued_on=today)
    quote.save(update_fields=["number", "status", "sent_at", "pdf"])
    _new_token(quote)
    audit_record(actor=actor, action=AuditAction.QUOTE_SENT, target=quote, organisation=quote.funder, at=at)
    return quote


@transaction.atomic
def quote_link_renew(*, quote: Quote, actor) -> Quote:
    """A fresh acceptance link (the previous one stops working)."""
    quote = _locked_quote(quote, QuoteStatus.SENT)
    _new_token(quote)
    audit_record(actor=actor, action=AuditAction.QUOTE_LINK_RENEWED, target=quote, organisation=quote.funder)
    return quote


def quote_for_token(token: str) -> Quote:
    """The sent quote behind an acceptance link, or a DomainError saying why it cannot be used."""
    if not token or len(token) > 100:
        raise DomainError("Ce lien de devis n'est pas valide.")
    quote = Quote.objects.select_related("offer").filter(token_hash=_hash(token)).first()
    if quote is None:
        raise DomainError("Ce lien de devis n'est pas valide : utilisez le dernier lien reçu par e-mail.")
    if quote.status == QuoteStatus.CANCELLED:
        raise DomainError(f"Le devis {quote.number} a été annulé. Écrivez à l'équipe #APTIC.")
    return quote


def clean_chorus_reference(raw: str, *, label: str, max_length: int, field: str) -> str:
    """A commitment number or a service code as Chorus Pro and the French e-invoicing rules take it:
    stripped, at most `max_length` characters, letters without accents, digits and + - _ / only."""
    value = (raw or "").strip()
    if len(value) > max_length:
        raise DomainError(f"{label} compte {max_length} caractères au plus.", field=field)
    if value and not re.match(REFERENCE_CHARS, value):
        raise DomainError(
            f"{label} ne peut contenir que des lettres sans accent, des chiffres et les signes + - _ / "
            "(sans espace) : recopiez-le tel que votre service financier l'a donné.",
            field=field,
        )
    return value


@transaction.atomic
def quote_accept(
    *,
    quote: Quote,
    kind: str,
    document,
    signer_name: str,
    purchase_order_ref: str = "",
    commitment_number: str = "",
    service_code: str = "",
    user=None,
    at=None,
) -> Quote:
    """The funder accepts: the signed quote, or a public-procurement purchase order (reference and file);
    a public buyer adds the references its invoices need in Chorus Pro (commitment number, service code).
    `at`: when (now by default; never to come, nor before the quote was sent)."""
    quote = _locked_quote(quote, QuoteStatus.SENT)
    at = _after(at, quote.sent_at)
    if quote.valid_until < timezone.localdate(at):
        raise DomainError(
            f"Le devis {quote.number} n'est plus valable depuis le {quote.valid_until:%d/%m/%Y} : "
            "demandez un nouveau devis à l'équipe #APTIC."
        )
    if kind not in AcceptanceKind.values:
        raise DomainError("Choisissez comment vous acceptez le devis.", field="kind")
    signer_name = (signer_name or "").strip()
    if not signer_name:
        raise DomainError("Indiquez le nom et la qualité de la personne qui accepte.", field="signer_name")
    reference = (purchase_order_ref or "").strip()
    if kind == AcceptanceKind.PURCHASE_ORDER and not reference:
        raise DomainError("Indiquez la référence du bon de commande.", field="purchase_order_ref")
    if len(reference) > 100:
        raise DomainError("La référence du bon de commande compte 100 caractères au plus.", field="purchase_order_ref")
    commitment_number = clean_chorus_reference(
        commitment_number, label="Le numéro d'engagement", max_length=COMMITMENT_MAX, field="commitment_number"
    )
    service_code = clean_chorus_reference(
        service_code, label="Le code service", max_length=SERVICE_CODE_MAX, field="service_code"
    )
    data = check_pdf(document, field="document")
    quote.acceptance_kind = kind
    quote.purchase_order_ref = reference if kind == AcceptanceKind.PURCHASE_ORDER else ""
    quote.commitment_number, quote.service_code = commitment_number, service_code
    quote.accepted_by_name = signer_name[:150]
    quote.accepted_at = at
    quote.status = QuoteStatus.ACCEPTED
    quote.refusal_reason = ""
    # Last, once everything is checked: the file is written to disk at once.
    quote.acceptance_file.save(f"{quote.number}-acceptation.pdf", ContentFile(data), save=False)
    quote.save()
    return quote


@transaction.atomic
def quote_acceptance_refuse(*, quote: Quote, actor, reason: str) -> Quote:
    """The uploaded document does not do (unsigned, wrong quote…): back to "sent", the reason kept."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Indiquez pourquoi l'acceptation est refusée.", field="reason")
    quote = _locked_quote(quote, QuoteStatus.ACCEPTED)
    quote.status, quote.refusal_reason = QuoteStatus.SENT, reason[:250]
    quote.acceptance_kind, quote.purchase_order_ref, quote.accepted_at, quote.accepted_by_name = "", "", None, ""
    quote.commitment_number, quote.service_code = "", ""
    quote.save()
    _new_token(quote)  # the contact gets a fresh link with the reason
    audit_record(
        actor=actor,
        action=AuditAction.QUOTE_ACCEPTANCE_REFUSED,
        target=quote,
        organisation=quote.funder,
        details={"reason": reason},
    )
    return quote


@transaction.atomic
def quote_cancel(*, quote: Quote, actor) -> Quote:
    quote = _locked_quote(quote, QuoteStatus.DRAFT, QuoteStatus.SENT, QuoteStatus.ACCEPTED)
    quote.status, quote.token_hash = QuoteStatus.CANCELLED, None
    quote.save(update_fields=["status", "token_hash"])
    audit_record(actor=actor, action=AuditAction.QUOTE_CANCELLED, target=quote, organisation=quote.funder)
    return quote


def _funder_for(quote: Quote, actor, at=None) -> Organisation:
    """The quote's funder: known, found by SIRET, or created; its contact invited as administrator."""
    funder = quote.funder
    if funder is None and quote.buyer_siret:
        funder = Organisation.objects.filter(kind=OrganisationKind.FUNDER, siret=quote.buyer_siret).first()
    if funder is None:
        funder = accounts.organisation_create(
            kind=OrganisationKind.FUNDER,
            name=quote.buyer_name,
            legal_category=quote.buyer_legal_category,
            siret=quote.buyer_siret,
            address=quote.buyer_address,
            commune=quote.buyer_commune,
            email=quote.contact_email,
            at=at,
        )
    if not funder.memberships.filter(user__email__iexact=quote.contact_email).exists():
        accounts.invitation_create(
            organisation=funder, email=quote.contact_email, role=Role.ADMIN, invited_by=actor, at=at
        )
    return funder


@transaction.atomic
def quote_validate(*, quote: Quote, actor, sponsorship_start: datetime.date | None = None, at=None) -> Quote:
    """Staff accept the funder's acceptance: the funder's account, its order with its rules, issued;
    sponsored subscriptions. All of it, or nothing. `at`: when (now by default; never to come, nor
    before the acceptance)."""
    from aptic.providers.services import sponsorships_create

    quote = _locked_quote(quote, QuoteStatus.ACCEPTED)
    at = _after(at, quote.accepted_at)
    funder = _funder_for(quote, actor, at)
    rules = {name: list(getattr(quote, name).all()) for name in RULES}
    order = order_create(
        funder=funder,
        quantity=quote.quantity,
        face_value_cents=quote.face_value_cents,
        booklet_size=quote.booklet_size,
        activation=quote.activation,
        max_vouchers_per_act=quote.max_vouchers_per_act,
        label=f"Devis {quote.number} — offre {quote.offer.name}",
        actor=actor,
        at=at,
        **rules,
    )
    order = order_issue(order=order, actor=actor, at=at)
    providers = list(quote.sponsored_providers.all())
    if providers:
        day = timezone.localdate(at)
        sponsorships_create(funder=funder, providers=providers, starts_on=sponsorship_start or day, user=actor, on=day)
    quote.funder, quote.order = funder, order
    quote.status, quote.validated_by, quote.validated_at = QuoteStatus.VALIDATED, actor, at
    quote.save()
    audit_record(
        actor=actor,
        action=AuditAction.QUOTE_VALIDATED,
        target=quote,
        organisation=funder,
        details={"order": order.pk},
        at=at,
    )
    return quote
