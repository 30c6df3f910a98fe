"""Printing services (ADR 0015): release an order for printing, upload its cover, produce its files."""

import hashlib
import tempfile

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from aptic.accounts.models import PRINT_NAME_MAX, Organisation
from aptic.audit.services import AuditAction, audit_record
from aptic.core import clock, formats
from aptic.core.errors import DomainError
from aptic.core.pdf import unprintable
from aptic.core.uploads import image_info
from aptic.jobs.services import job_enqueue
from aptic.vouchers.issuance import order_issue
from aptic.vouchers.links import voucher_url
from aptic.vouchers.models import Order, Voucher

from .checks import site_url_refusal
from .models import PrintCover, PrintFile, PrintRelease, ReleaseReason, cover_path, print_file_path
from .render import PrintSpec, name_fits, printed_name, render

JOB_KIND = "printing.generate"
DEFAULT_FILE_VOUCHERS = 5000  # what a printer's RIP takes in one file
JUSTIFICATION_MAX = 500
COVER_MAX_BYTES = 15 * 1024 * 1024
COVER_FORMATS = {"JPEG": "jpg", "PNG": "png"}
CHUNK = 2000


def file_voucher_limit() -> int:
    return int(getattr(settings, "APTIC_PRINT_FILE_VOUCHERS", DEFAULT_FILE_VOUCHERS))


def order_print_release(
    *, order: Order, user, reason: str, justification: str = "", produce: bool = True, at=None
) -> PrintRelease:
    """Allow the order to be printed and start the print job.

    reason "paid": billing calls this when the payment is recorded; "early": staff release a
    public body's order before it pays (it pays after service), with a justification. Once per
    order (the database refuses a second release). An order not yet issued is issued here: there
    is nothing to print before its vouchers exist. `at`: when (now by default, never to come; not
    before the order was made).
    """
    if reason not in ReleaseReason.values:
        raise DomainError("Motif de libération inconnu.", field="reason")
    justification = (justification or "").strip()
    if reason == ReleaseReason.EARLY and not justification:
        raise DomainError("Indiquez pourquoi cette commande est imprimée avant son paiement.", field="justification")
    if len(justification) > JUSTIFICATION_MAX:
        raise DomainError(f"La justification tient en {JUSTIFICATION_MAX} caractères.", field="justification")
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("funder").get(pk=order.pk)
        if PrintRelease.objects.filter(order=order).exists():
            raise DomainError(f"La commande n° {order.pk} est déjà libérée pour l'impression.", code="already")
        at = clock.moment(at)
        if at < order.created_at:
            raise DomainError(f"La commande n° {order.pk} n'existait pas encore à cette date.", field="at")
        if order.issued_at is None:
            order = order_issue(order=order, actor=user, at=at)
        try:
            with transaction.atomic():
                release = PrintRelease.objects.create(
                    order=order, reason=reason, justification=justification, released_by=user, released_at=at
                )
        except IntegrityError:  # a concurrent release won the race
            raise DomainError(
                f"La commande n° {order.pk} est déjà libérée pour l'impression.", code="already"
            ) from None
        if produce:  # the demo produces its small orders' files itself (printing/demo.py)
            release.job = job_enqueue(
                kind=JOB_KIND, params={"order_id": order.pk}, user=user, organisation=order.funder
            )
            release.save(update_fields=["job"])
        audit_record(
            actor=user,
            action=AuditAction.PRINT_RELEASED,
            target=order,
            organisation=order.funder,
            details={"reason": reason, "justification": justification},
            at=at,
        )
    return release


def print_regenerate(*, order: Order, user) -> PrintRelease:
    """Produce the files again (after a new cover, or a lost file): same vouchers, same bytes."""
    with transaction.atomic():
        release = PrintRelease.objects.select_for_update().filter(order=order).first()
        if release is None:
            raise DomainError("Cette commande n'est pas encore libérée pour l'impression.")
        if release.job_id and not release.job.is_finished:
            raise DomainError("Les fichiers de cette commande sont déjà en cours de production.")
        release.job = job_enqueue(
            kind=JOB_KIND, params={"order_id": order.pk, "force": True}, user=user, organisation=order.funder
        )
        release.save(update_fields=["job"])
        audit_record(actor=user, action=AuditAction.PRINT_REGENERATED, target=order, organisation=order.funder)
    return release


def cover_refusal(order: Order) -> str | None:
    """Why the order may not have a custom cover, or None. A custom cover belongs to the offer the
    order was sold with (Premium): the offer is the quote's, an order with no quote has none."""
    try:
        offer = order.quote.offer
    except ObjectDoesNotExist:
        return (
            f"La commande n° {order.pk} n'a pas été vendue par un devis : son offre est inconnue, "
            "et la couverture personnalisée est réservée à l'offre Premium."
        )
    if not offer.allows_custom_cover:
        return (
            f"La couverture personnalisée est réservée à l'offre Premium : "
            f"la commande n° {order.pk} relève de l'offre {offer.name}."
        )
    return None


def print_cover_upload(*, order: Order, user, upload) -> PrintCover:
    """Staff upload the funder's cover (Premium): a JPEG or PNG image, checked by opening it."""
    if refusal := cover_refusal(order):
        raise DomainError(refusal, code="offer")
    if upload is None:
        raise DomainError("Choisissez une image.", field="image")
    if upload.size > COVER_MAX_BYTES:
        raise DomainError("L'image dépasse 15 Mo.", field="image")
    data = upload.read()
    if (info := image_info(data)) is None:
        raise DomainError("Ce fichier n'est pas une image lisible (JPEG ou PNG attendu).", field="image")
    kind, width, height = info
    if kind not in COVER_FORMATS:
        raise DomainError(f"Format d'image {kind} non accepté : envoyez un JPEG ou un PNG.", field="image")
    if min(width, height) < 600:
        raise DomainError(
            f"L'image est trop petite pour l'impression ({width} × {height} pixels ; 600 au moins de chaque côté).",
            field="image",
        )
    with transaction.atomic():
        cover = PrintCover.objects.select_for_update().filter(order=order).first() or PrintCover(order=order)
        old = cover.image.name if cover.pk else None
        cover.extension = COVER_FORMATS[kind]
        cover.sha256 = hashlib.sha256(data).hexdigest()
        cover.width, cover.height, cover.uploaded_by = width, height, user
        if old:
            cover.image.storage.delete(old)
        cover.image.storage.delete(cover_path(cover, ""))
        cover.image.save("cover", ContentFile(data), save=False)
        cover.save()
        audit_record(
            actor=user,
            action=AuditAction.PRINT_COVER_UPLOADED,
            target=order,
            organisation=order.funder,
            details={"sha256": cover.sha256},
        )
    return cover


def funder_print_name_set(*, funder, print_name: str, user):
    """The name the funder's vouchers and booklet covers print (ADR 0058): empty for its own name;
    otherwise it must fit the voucher's band (two lines, 6.5 pt at least) without being shortened.
    Files already produced keep the name they were made with; produce them again to change it."""
    print_name = " ".join((print_name or "").split())
    if len(print_name) > PRINT_NAME_MAX:
        raise DomainError(f"Le nom imprimé compte {PRINT_NAME_MAX} caractères au plus.", field="print_name")
    if bad := unprintable(print_name):
        shown = " ".join(f"U+{ord(char):04X}" if not char.isprintable() else f"« {char} »" for char in bad[:5])
        raise DomainError(
            f"Ces caractères ne peuvent pas être imprimés sur les chèques : {shown}. Utilisez des lettres, des "
            "chiffres et la ponctuation usuelle.",
            field="print_name",
        )
    if print_name and not name_fits(print_name):
        raise DomainError(
            "Ce nom ne tient pas sur les deux lignes du bandeau du chèque : raccourcissez-le "
            f"(il serait imprimé « {printed_name(print_name)} »).",
            field="print_name",
        )
    with transaction.atomic():
        funder = Organisation.objects.select_for_update().get(pk=funder.pk)
        if funder.print_name == print_name:
            return funder
        before, funder.print_name = funder.print_name, print_name
        funder.save(update_fields=["print_name"])
        audit_record(
            actor=user,
            action=AuditAction.PRINT_NAME_CHANGED,
            target=funder,
            organisation=funder,
            details={"avant": before, "après": print_name},
        )
    return funder


def funder_printed_name(funder) -> str:
    """What the funder's vouchers print: its print name, else its name (shortened if need be)."""
    return printed_name(funder_given_name(funder))


def funder_given_name(funder) -> str:
    """The name handed to the layout: the funder's chosen print name, else its name."""
    return funder.print_name or funder.name


# Producing the files (run by the job, see jobs_handlers.py).


def print_spec(order: Order) -> PrintSpec:
    placeholder = "0" * 16
    prefix, suffix = voucher_url(placeholder).split(placeholder)
    cover = PrintCover.objects.filter(order=order).first()
    cover_bytes = None
    if cover is not None:
        with cover.image.open("rb") as handle:
            cover_bytes = handle.read()
    return PrintSpec(
        order_id=order.pk,
        year=order.year,
        funder_name=funder_given_name(order.funder),
        face_value=_euros(order.face_value_cents),
        valid_from=f"{order.valid_from:%d/%m/%Y}",
        valid_until=f"{order.valid_until:%d/%m/%Y}",
        booklet_size=order.booklet_size,
        validity=order.validity,
        booklet_validity=formats.validity(order.valid_until, order.grace_until, count=order.booklet_size),
        url_prefix=prefix,
        url_suffix=suffix,
        cover_image=cover_bytes,
    )


def _euros(cents: int) -> str:
    return formats.euros(cents, space=formats.NBSP)


def file_parts(order: Order, limit: int | None = None) -> list[tuple[int, int, int]]:
    """(part, first sequence, last sequence): whole booklets, at most `limit` vouchers a file."""
    limit = limit or file_voucher_limit()
    per_file = max(order.booklet_size, limit // order.booklet_size * order.booklet_size)
    return [
        (index + 1, first, min(first + per_file - 1, order.quantity))
        for index, first in enumerate(range(1, order.quantity + 1, per_file))
    ]


def _rows(order: Order, first: int, last: int):
    return (
        Voucher.objects.filter(order=order, sequence__gte=first, sequence__lte=last)
        .order_by("sequence")
        .values_list("sequence", "code")
        .iterator(chunk_size=CHUNK)
    )


def print_files_generate(
    *, order: Order, force: bool = False, progress=None, limit: int | None = None, at=None
) -> list:
    """Produce the order's files; without `force`, parts already produced are kept (a resumed job
    picks up where it stopped). Returns the files. `at`: when they are deemed produced (now by default)."""
    order = Order.objects.select_related("funder").get(pk=order.pk)
    if order.issued_at is None:
        raise DomainError(f"La commande n° {order.pk} n'est pas émise : rien à imprimer.")
    if not PrintRelease.objects.filter(order=order).exists():
        raise DomainError(f"La commande n° {order.pk} n'est pas libérée pour l'impression.")
    if refusal := site_url_refusal():
        raise DomainError(refusal, code="site_url")
    spec = print_spec(order)
    parts = file_parts(order, limit)
    existing = {f.part: f for f in PrintFile.objects.filter(order=order)}
    done, files = 0, []
    for part, first, last in parts:
        current = existing.get(part)
        if not force and _reusable(current, first, last, spec.funder_name):
            files.append(current)
            done += last - first + 1
            if progress:
                progress(done)
            continue
        base = done

        def step(count, base=base):
            if progress:
                progress(base + count)

        files.append(_write_part(order, spec, part, first, last, step, at))
        done += last - first + 1
    # A smaller file limit since the last run leaves parts beyond the new last one.
    for stale in PrintFile.objects.filter(order=order, part__gt=len(parts)):
        stale.file.delete(save=False)
        stale.delete()
    return files


def _reusable(current: PrintFile | None, first: int, last: int, funder_name: str) -> bool:
    return (
        current is not None
        and (current.first_sequence, current.last_sequence) == (first, last)
        and current.funder_name == funder_name
        and bool(current.file)
        and current.file.storage.exists(current.file.name)
    )


def _write_part(order, spec, part, first, last, step, at=None) -> PrintFile:
    with tempfile.TemporaryFile() as handle:
        pages = render(handle, spec, _rows(order, first, last), progress=step)
        size = handle.tell()
        handle.seek(0)
        digest = hashlib.sha256()
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
        handle.seek(0)
        with transaction.atomic():
            record = PrintFile.objects.select_for_update().filter(order=order, part=part).first()
            record = record or PrintFile(order=order, part=part)
            if record.file:
                record.file.storage.delete(record.file.name)
            # The path belongs to this order's part: a file left there (a rolled-back run) is replaced.
            record.file.storage.delete(print_file_path(record, record.filename))
            record.first_sequence, record.last_sequence, record.pages = first, last, pages
            record.funder_name = spec.funder_name
            record.size_bytes, record.sha256 = size, digest.hexdigest()
            record.generated_at = clock.moment(at)
            record.file.save(record.filename, File(handle), save=False)
            record.save()
    return record
