"""Plus option: postal mailing of booklets to the beneficiaries of a funder's address file, and
the deletion of those addresses 30 days after the mailing (ADR 0015)."""

import datetime
import hashlib
import logging
import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from aptic.audit.services import AuditAction, audit_record
from aptic.core import clock, formats, legal
from aptic.core.errors import DomainError
from aptic.jobs.services import job_enqueue
from aptic.printing.models import PrintRelease
from aptic.vouchers.lifecycle import blocked_booklet_numbers, booklets_activate, distribution_check
from aptic.vouchers.models import Activation, Booklet, Order

from .addresses import read_address_file
from .documents import render_labels, render_letter_parts, render_letters
from .letter import Letter
from .models import (
    AddressPurge,
    Handout,
    Mailing,
    MailingAddress,
    MailingStatus,
    Shipment,
    ShipmentKind,
    ShipmentRange,
    ShippedBooklet,
    mailing_file_path,
)

log = logging.getLogger(__name__)
DOCUMENTS_JOB = "distribution.mailing_documents"
PURGE_JOB = "distribution.purge_addresses"
KEEP_DAYS = 30
BATCH = 5000
DEFAULT_FILE_LETTERS = 5000  # letters in one PDF; more go into a ZIP of such PDFs (documents.py)


def file_letter_limit() -> int:
    return int(getattr(settings, "APTIC_MAILING_FILE_LETTERS", DEFAULT_FILE_LETTERS))


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def mailing_create(*, funder, order: Order, filename: str, data: bytes, user, at=None) -> Mailing:
    """Read the file (all or nothing), give each address a booklet not yet shipped, and queue the
    labels and letters. Nothing is written when a single row is wrong. `at`: when the file was
    deposited (now by default, never to come)."""
    at = clock.moment(at)
    if order.funder_id != funder.pk:
        raise DomainError("Cette commande n'est pas la vôtre.", field="order")
    rows = read_address_file(filename or "", data)
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if not PrintRelease.objects.filter(order=order).exists():
            raise DomainError(f"La commande n° {order.pk} n'est pas encore imprimée.", field="order")
        distribution_check(order=order, day=timezone.localdate(at), field="order")
        free_booklets = list(
            Booklet.objects.filter(order=order, shipped__isnull=True)
            .exclude(number__in=blocked_booklet_numbers(order))  # lost or stolen booklets stay home
            .order_by("number")
            .values_list("number", "pk")[: len(rows)]
        )
        free = [number for number, _ in free_booklets]
        if len(free) < len(rows):
            raise DomainError(
                f"La commande n° {order.pk} n'a plus que {formats.count(len(free), 'carnet')} "
                f"{formats.plural(len(free), 'non expédié', 'non expédiés')} "
                f"pour {formats.count(len(rows), 'adresse')}.",
                field="file",
            )
        shipment = Shipment.objects.create(
            order=order,
            recipient=funder,
            kind=ShipmentKind.MAILING,
            booklet_count=len(rows),
            created_by=user,
            created_at=at,
        )
        ShipmentRange.objects.bulk_create(
            [ShipmentRange(shipment=shipment, first_number=a, last_number=b) for a, b in _runs(free)]
        )
        ShippedBooklet.objects.bulk_create(
            [ShippedBooklet(shipment=shipment, booklet_id=pk) for _, pk in free_booklets], batch_size=BATCH
        )
        shipped = dict(
            ShippedBooklet.objects.filter(shipment=shipment).values_list("booklet__number", "pk").iterator(BATCH)
        )
        mailing = Mailing.objects.create(
            shipment=shipment,
            source_name=(filename or "")[:200],
            address_count=len(rows),
            created_by=user,
            created_at=at,
        )
        MailingAddress.objects.bulk_create(
            [
                MailingAddress(
                    mailing=mailing,
                    line=row.line,
                    shipped_id=shipped[number],
                    name=row.name,
                    street=row.street,
                    complement=row.complement,
                    postal_code=row.postal_code,
                    city=row.city,
                    category=row.category,
                )
                for row, number in zip(rows, free, strict=True)
            ],
            batch_size=BATCH,
        )
        mailing.job = job_enqueue(
            kind=DOCUMENTS_JOB, params={"mailing_id": mailing.pk}, user=user, organisation=funder, at=at
        )
        mailing.save(update_fields=["job"])
    return mailing


@dataclass(frozen=True)
class _Letter:
    name: str
    street: str
    complement: str
    postal_code: str
    city: str
    booklet_number: int


def _letters(mailing):
    rows = (
        MailingAddress.objects.filter(mailing=mailing)
        .order_by("line")
        .values_list("name", "street", "complement", "postal_code", "city", "shipped__booklet__number")
        .iterator(chunk_size=BATCH)
    )
    return (_Letter(*row) for row in rows)


def _save(mailing, field_name: str, filename: str, write) -> None:
    field = getattr(mailing, field_name)
    if field:
        field.storage.delete(field.name)
    field.storage.delete(mailing_file_path(mailing, filename))
    with tempfile.TemporaryFile() as handle:
        write(handle)
        handle.seek(0)
        field.save(filename, File(handle), save=False)


def mailing_documents_generate(*, mailing: Mailing, progress=None) -> dict:
    """Labels and letters as PDF; the mailing becomes ready to post."""
    mailing = Mailing.objects.select_related("shipment__order__funder__commune").get(pk=mailing.pk)
    if mailing.addresses_purged_at:
        raise DomainError("Les adresses de cet envoi sont effacées : plus de documents à produire.")
    order = mailing.shipment.order
    title = f"Envoi postal n° {mailing.pk} — commande n° {order.pk}"
    if progress:
        progress(0)
    _save(mailing, "labels", "etiquettes.pdf", lambda out: render_labels(out, _letters(mailing), title=title))
    if progress:
        progress(1)
    letter = _letter(mailing, order, title)
    limit = file_letter_limit()
    if mailing.address_count <= limit:
        _save(mailing, "letters", "courriers.pdf", lambda out: render_letters(out, _letters(mailing), letter=letter))
    else:
        _save(
            mailing,
            "letters",
            "courriers.zip",
            lambda out: render_letter_parts(out, _letters(mailing), limit=limit, letter=letter),
        )
    with transaction.atomic():
        Mailing.objects.filter(pk=mailing.pk).update(labels=mailing.labels.name, letters=mailing.letters.name)
        Mailing.objects.filter(pk=mailing.pk, status=MailingStatus.PREPARING).update(status=MailingStatus.PREPARED)
    if progress:
        progress(2)
    return {"labels": _sha(mailing.labels), "letters": _sha(mailing.letters)}


def _funder_contact(funder) -> tuple[str, ...]:
    """The funder's postal address, e-mail and phone, as far as its account has them."""
    town = ""
    if funder.commune_id:
        codes = funder.commune.postal_codes.split()
        town = f"{codes[0]} {funder.commune.name}" if codes else funder.commune.name
    return tuple(line for line in (funder.address, town, funder.email, funder.phone) if line)


def _letter(mailing, order, title: str) -> Letter:
    funder, seller = order.funder, legal.seller()
    return Letter(
        title=title,
        funder=funder.name,
        funder_contact=_funder_contact(funder),
        place=funder.commune.name if funder.commune_id else "",
        day=timezone.localdate(mailing.created_at),  # the deposit's day: the same bytes when produced again
        order_id=order.pk,
        face_value=formats.euros(order.face_value_cents, space=formats.NBSP),  # Vera has no U+202F (ADR 0023)
        size=order.booklet_size,
        validity=formats.validity(order.valid_until, order.grace_until, count=2),
        processor=seller.name,
        processor_address=f"{seller.address}, {seller.postcode} {seller.city}",
        keep_days=KEEP_DAYS,
        site_url=settings.SITE_URL,
    )


def _sha(field) -> str:
    digest = hashlib.sha256()
    with field.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@transaction.atomic
def mailing_mark_mailed(*, mailing: Mailing, mailed_on: datetime.date, user) -> Mailing:
    """Staff posted the letters: the booklets count as handed out (with the file's categories) and
    are activated when the order says so; the addresses' 30 days start."""
    mailing = (
        Mailing.objects.select_for_update().select_related("shipment__order", "shipment__recipient").get(pk=mailing.pk)
    )
    if mailing.status != MailingStatus.PREPARED:
        raise DomainError(f"L'envoi n° {mailing.pk} n'est pas prêt à poster ({mailing.get_status_display()}).")
    if mailed_on is None or mailed_on > timezone.localdate():
        raise DomainError("Indiquez la date de dépôt à La Poste (aujourd'hui ou avant).", field="mailed_on")
    when = clock.moment_of(mailed_on)
    shipment, order = mailing.shipment, mailing.shipment.order
    distribution_check(order=order, day=mailed_on)
    rows = MailingAddress.objects.filter(mailing=mailing).values_list("shipped_id", "category").iterator(BATCH)
    Handout.objects.bulk_create(
        (
            Handout(
                shipped_id=shipped_id,
                organisation=shipment.recipient,
                category=category,
                handed_out_on=mailed_on,
                recorded_by=user,
                created_at=when,
            )
            for shipped_id, category in rows
        ),
        batch_size=BATCH,
    )
    if order.activation == Activation.ON_DISTRIBUTION:
        for r in shipment.ranges.all():
            booklets_activate(
                order=order,
                numbers=range(r.first_number, r.last_number + 1),
                actor=user,
                reason=f"Carnet posté au bénéficiaire (envoi n° {mailing.pk})",
                at=when,
            )
    mailing.status, mailing.mailed_on, mailing.mailed_by = MailingStatus.MAILED, mailed_on, user
    mailing.save(update_fields=["status", "mailed_on", "mailed_by"])
    Shipment.objects.filter(pk=shipment.pk).update(shipped_on=mailed_on)
    audit_record(
        actor=user,
        action=AuditAction.MAILING_MAILED,
        target=mailing,
        organisation=order.funder,
        details={"mailed_on": mailed_on, "order": order.pk},
        at=when,
    )
    return mailing


def addresses_purge(*, today: datetime.date | None = None) -> list[AddressPurge]:
    """The daily job: delete the addresses (rows and PDFs) of mailings posted 30 days ago or more,
    and log each deletion."""
    today = today or timezone.localdate()
    cutoff = today - datetime.timedelta(days=KEEP_DAYS)
    logs = []
    due = Mailing.objects.filter(
        status=MailingStatus.MAILED, mailed_on__lte=cutoff, addresses_purged_at__isnull=True
    ).order_by("pk")
    for mailing in due:
        with transaction.atomic():
            mailing = Mailing.objects.select_for_update().get(pk=mailing.pk)
            if mailing.addresses_purged_at:
                continue
            count, _ = MailingAddress.objects.filter(mailing=mailing).delete()
            files = 0
            for field in (mailing.labels, mailing.letters):
                if field:
                    field.storage.delete(field.name)
                    files += 1
            mailing.labels, mailing.letters = "", ""
            mailing.addresses_purged_at = timezone.now()
            mailing.save(update_fields=["labels", "letters", "addresses_purged_at"])
            entry = AddressPurge.objects.create(
                mailing=mailing,
                purged_at=mailing.addresses_purged_at,
                address_count=count,
                files_deleted=files,
                description=(
                    f"Adresses de l'envoi postal n° {mailing.pk} (posté le {mailing.mailed_on:%d/%m/%Y}) "
                    f"effacées : {formats.count(count, 'adresse')}, {formats.count(files, 'fichier')}."
                ),
            )
        log.info("addresses purged: mailing %s, %s rows, %s files", mailing.pk, count, files)
        logs.append(entry)
    return logs
