"""Bank details: checks (schwifty, the uploaded RIB), submission by a provider admin, staff review.

Every change makes a new row and suspends payouts until staff verify it; every administrator of the
provider is told by e-mail."""

import warnings

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from aptic.accounts.models import Membership, OrganisationKind, Role
from aptic.accounts.permissions import staff_check
from aptic.audit.services import AuditAction, audit_record
from aptic.core import clock
from aptic.core.errors import DomainError
from aptic.core.uploads import image_info, is_readable_pdf, named_as, sniff

from .models import BankDetails, BankDetailsStatus
from .sepa_text import NAME, sepa_text

RIB_MAX_BYTES = 5 * 1024 * 1024
REASON_MAX = 250
HOLDER_MAX = NAME  # what a SEPA transfer carries


def clean_holder(holder: str) -> str:
    holder = " ".join((holder or "").split())
    if not holder:
        raise DomainError("Indiquez le titulaire du compte, tel qu'il figure sur le RIB.", field="holder")
    if len(holder) > HOLDER_MAX:
        raise DomainError(f"Le titulaire est trop long ({HOLDER_MAX} caractères au plus).", field="holder")
    if not sepa_text(holder, HOLDER_MAX):
        raise DomainError("Écrivez le titulaire en lettres latines, comme sur le RIB.", field="holder")
    return holder


def clean_iban(value: str) -> IBAN:
    compact = "".join((value or "").split()).upper()
    if not compact:
        raise DomainError("Indiquez l'IBAN du compte.", field="iban")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            iban = IBAN(compact)
    except SchwiftyException:
        raise DomainError(
            "Cet IBAN n'est pas valide : vérifiez-le caractère par caractère sur votre RIB "
            "(FR76 suivi de 23 caractères pour un compte français).",
            field="iban",
        ) from None
    if not iban.in_sepa_zone:
        raise DomainError(
            f"Cet IBAN est celui d'un compte hors de la zone SEPA ({iban.country_code}) : les remboursements "
            "sont des virements SEPA en euros, indiquez un compte de la zone SEPA.",
            field="iban",
        )
    return iban


def clean_bic(value: str, iban: IBAN) -> BIC:
    """The BIC as typed, or the one of the IBAN's bank when left blank and schwifty knows it; it must
    belong to the IBAN's bank whenever schwifty knows either of them."""
    compact = "".join((value or "").split()).upper()
    if not compact:
        if iban.bic is None:
            raise DomainError("Indiquez le BIC de votre banque (8 ou 11 caractères, sur votre RIB).", field="bic")
        return iban.bic
    try:
        bic = BIC(compact)
    except SchwiftyException:
        raise DomainError(
            "Ce BIC n'est pas valide : 8 ou 11 caractères (par exemple BNPAFRPP ou BNPAFRPPXXX).", field="bic"
        ) from None
    known = iban.bic
    if known is not None and str(bic)[:8] != str(known)[:8] and iban.bank_code not in bic.domestic_bank_codes:
        raise DomainError(
            f"Ce BIC ne correspond pas à la banque de l'IBAN (attendu : {known}). Vérifiez les deux sur votre RIB.",
            field="bic",
        )
    if known is None and bic.domestic_bank_codes and iban.bank_code not in bic.domestic_bank_codes:
        raise DomainError(
            "Ce BIC est celui d'une autre banque que celle de l'IBAN. Vérifiez les deux sur votre RIB.", field="bic"
        )
    return bic


def _is_image(data: bytes) -> bool:
    info = image_info(data)
    return info is not None and info[0] in ("PNG", "JPEG")


def clean_rib(upload) -> bytes:
    """The RIB file's bytes: a readable PDF, PNG or JPEG of at most 5 MB."""
    if upload is None:
        raise DomainError("Joignez votre RIB (PDF, PNG ou JPEG).", field="rib")
    if upload.size > RIB_MAX_BYTES:
        raise DomainError("Le RIB est trop lourd : 5 Mo au plus.", field="rib")
    data = upload.read()
    if not data:
        raise DomainError("Le fichier du RIB est vide.", field="rib")
    if not (is_readable_pdf(data) or _is_image(data)):
        raise DomainError(
            "Ce fichier n'est pas lisible comme un PDF, une image PNG ou JPEG : "
            "joignez le RIB fourni par votre banque.",
            field="rib",
        )
    return data


def _admins_emails(organisation) -> list[str]:
    return list(
        Membership.objects.filter(organisation=organisation, role=Role.ADMIN, user__is_active=True)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


def _send(details: BankDetails, template: str, subject: str, recipients: list[str]) -> None:
    organisation = details.provider
    link = settings.SITE_URL + reverse("payouts:provider_bank", kwargs={"org_slug": organisation.slug})
    send_mail(
        subject=subject,
        message=render_to_string(template, {"details": details, "organisation": organisation, "link": link}),
        from_email=None,
        recipient_list=recipients,
    )


def _safe_name(name: str) -> str:
    base = "".join(c if c.isalnum() or c in "._-" else "-" for c in (name or "rib"))
    return base[-80:] or "rib"


@transaction.atomic
def bank_details_submit(*, provider, user, holder: str, iban: str, bic: str, rib, at=None) -> BankDetails:
    """A provider admin enters new bank details: checked, stored as a new current row awaiting
    verification (payouts are held meanwhile); every admin is told by e-mail. `at`: when (now by
    default, never to come)."""
    from django.core.files.base import ContentFile

    if provider.kind != OrganisationKind.PROVIDER:
        raise DomainError("Seule une structure de médiation numérique reçoit des remboursements.")
    if not Membership.objects.filter(organisation=provider, user=user, role=Role.ADMIN).exists():
        raise DomainError("Seuls les administrateurs de la structure peuvent modifier ses coordonnées bancaires.")
    at = clock.moment(at)
    holder = clean_holder(holder)
    clean = clean_iban(iban)
    bic_clean = clean_bic(bic, clean)
    data = clean_rib(rib)
    # Lock the current row: two admins saving at once give two rows, one after the other.
    previous = BankDetails.objects.select_for_update().filter(provider=provider, is_current=True).first()
    if previous is not None:
        BankDetails.objects.filter(pk=previous.pk).update(is_current=False)
    details = BankDetails(
        provider=provider,
        holder=holder,
        iban=str(clean),
        bic=str(bic_clean),
        bank_name=(clean.bank_short_name or clean.bank_name or "")[:200] if clean.bank else "",
        # Named after what the file is, not what it was called: a PDF sent as `rib.html` is `rib.pdf`.
        rib_name=named_as(_safe_name(getattr(rib, "name", "rib"))[:100], sniff(data)),
        submitted_by=user,
        submitted_at=at,
    )
    details.rib.save(details.rib_name, ContentFile(data), save=False)
    try:
        with transaction.atomic():
            details.save()
    except IntegrityError:
        details.rib.delete(save=False)
        raise DomainError(
            "Les coordonnées bancaires viennent d'être modifiées par ailleurs : rechargez la page."
        ) from None
    recipients = _admins_emails(provider)
    if recipients:
        transaction.on_commit(
            lambda: _send(
                details,
                "payouts/email/bank_details_changed.txt",
                f"#APTIC : les coordonnées bancaires de {provider.name} ont été modifiées",
                recipients,
            )
        )
    return details


@transaction.atomic
def bank_details_review(*, details: BankDetails, staff, verify: bool, reason: str = "", at=None) -> BankDetails:
    """Staff check the details against the RIB: verified (payouts resume) or refused with a reason.
    `at`: when (now by default; never to come, nor before the details were entered)."""
    staff_check(staff, "Seule l'équipe #APTIC vérifie les coordonnées bancaires.")
    reason = " ".join((reason or "").split())
    if not verify and not reason:
        raise DomainError("Indiquez le motif du refus : il est envoyé à la structure.", field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(f"Le motif est trop long ({REASON_MAX} caractères au plus).", field="reason")
    details = BankDetails.objects.select_for_update().select_related("provider").get(pk=details.pk)
    if not details.is_current:
        raise DomainError("Ces coordonnées ont été remplacées depuis : examinez les plus récentes.")
    if details.status != BankDetailsStatus.PENDING:
        raise DomainError(f"Ces coordonnées ont déjà été examinées ({details.get_status_display().lower()}).")
    at = clock.moment(at)
    if at < details.submitted_at:
        raise DomainError("Des coordonnées ne peuvent pas être vérifiées avant d'avoir été saisies.", field="at")
    details.status = BankDetailsStatus.VERIFIED if verify else BankDetailsStatus.REJECTED
    details.reviewed_by, details.reviewed_at, details.review_reason = staff, at, reason
    details.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_reason"])
    audit_record(
        actor=staff,
        action=AuditAction.BANK_DETAILS_REVIEWED,
        target=details,
        organisation=details.provider,
        details={"verified": verify, "reason": reason},
        at=at,
    )
    recipients = _admins_emails(details.provider)
    if recipients:
        subject = (
            f"#APTIC : coordonnées bancaires de {details.provider.name} vérifiées"
            if verify
            else f"#APTIC : coordonnées bancaires de {details.provider.name} refusées"
        )
        transaction.on_commit(lambda: _send(details, "payouts/email/bank_details_reviewed.txt", subject, recipients))
    return details


HOLD_NO_DETAILS = "Aucune coordonnée bancaire : un administrateur de la structure doit les saisir."
HOLD_PENDING = "Coordonnées bancaires en attente de vérification par l'équipe #APTIC."
HOLD_REJECTED = "Coordonnées bancaires refusées"


def hold_reasons(provider_ids) -> dict[int, tuple[BankDetails | None, str]]:
    """For each provider: its verified current details and '' , or None and why it is held."""
    current = {
        d.provider_id: d for d in BankDetails.objects.filter(provider_id__in=list(provider_ids), is_current=True)
    }
    answer = {}
    for provider_id in provider_ids:
        details = current.get(provider_id)
        if details is None:
            answer[provider_id] = (None, HOLD_NO_DETAILS)
        elif details.status == BankDetailsStatus.PENDING:
            answer[provider_id] = (None, HOLD_PENDING)
        elif details.status == BankDetailsStatus.REJECTED:
            answer[provider_id] = (None, f"{HOLD_REJECTED} : {details.review_reason}"[:250])
        else:
            answer[provider_id] = (details, "")
    return answer
