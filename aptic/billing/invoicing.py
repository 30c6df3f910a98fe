"""Invoices, payments, credit notes and the territorial fund: every one a numbered, never-edited
document with its ledger posting, in one transaction (ADR 0014).

Ledger (positive = debit), on top of issuance (funder debit / order outstanding credit, face value):
- invoice: funder debit fee + options + VAT; platform:fees credit fee + options; platform:vat credit VAT;
- payment: platform:bank debit; funder credit;
- paid order: platform:fees debit 1 % of face value; platform:territorial_fund credit;
- correction credit note: platform:fees and platform:vat debit; funder credit;
- expiry credit note: posted by vouchers.lifecycle.order_expire (outstanding debit, funder credit);
  the document refers to that posting.
A credit note deducted from an invoice moves no money: its credit is already on the funder's account,
the invoice simply asks for less.
"""

import datetime
import logging

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from aptic.audit.services import AuditAction, audit_record
from aptic.core import clock, formats, legal
from aptic.core.errors import DomainError
from aptic.core.identifiers import clean_siret
from aptic.ledger import services as ledger
from aptic.ledger.models import Entry, Transaction
from aptic.vouchers.models import Order

from . import documents, einvoice, numbering
from .models import (
    CreditApplication,
    CreditNote,
    CreditNoteKind,
    DocumentKind,
    FundMovement,
    Invoice,
    InvoiceLine,
    OptionKind,
    Payment,
    PaymentMethod,
    is_public_buyer,
)
from .pdf import Line, euros
from .pricing import apply_rate, fund_share, price

logger = logging.getLogger(__name__)
NATIONAL = ("national", "FR", "France (territoire du commanditaire non renseigné)")


def _today() -> datetime.date:
    return timezone.localdate()


def _buyer_of(funder, quote=None) -> einvoice.Buyer:
    if quote is not None:
        commune = quote.buyer_commune
        return einvoice.Buyer(
            quote.buyer_name,
            quote.buyer_siren,
            quote.buyer_siret,
            quote.buyer_address,
            commune.postal_codes.split(" ")[0] if commune.postal_codes else "",
            commune.name,
            public=is_public_buyer(quote.buyer_legal_category),
            service_code=quote.service_code,
        )
    commune = funder.commune
    return einvoice.Buyer(
        funder.name,
        funder.siret[:9],
        funder.siret,
        funder.address,
        commune.postal_codes.split(" ")[0] if commune and commune.postal_codes else "",
        commune.name if commune else "",
        public=is_public_buyer(funder.legal_category),
    )


def credit_available(funder, on: datetime.date | None = None) -> list[tuple[CreditNote, int]]:
    """The funder's credit notes with something left to deduct, oldest first: (note, cents left);
    with `on`, only those issued by that day (an invoice deducts no credit note dated after it)."""
    notes = CreditNote.objects.filter(funder=funder)
    if on is not None:
        notes = notes.filter(issued_on__lte=on)
    notes = notes.annotate(used=Sum("applications__amount_cents")).order_by("issued_on", "pk")
    return [(n, n.total_cents - (n.used or 0)) for n in notes if n.total_cents - (n.used or 0) > 0]


@transaction.atomic
def invoice_issue(*, order: Order, actor=None, issued_on: datetime.date | None = None) -> Invoice:
    """The invoice of an issued order, with the funder's available credit notes deducted."""
    order = Order.objects.select_for_update(of=("self",)).select_related("funder__commune").get(pk=order.pk)
    if not order.issued_at:
        raise DomainError(f"La commande n° {order.pk} n'est pas encore émise : elle ne peut pas être facturée.")
    if Invoice.objects.filter(order=order).exists():
        raise DomainError(f"La commande n° {order.pk} est déjà facturée.")
    quote = getattr(order, "quote", None)
    issued_on = issued_on or _today()
    when = clock.moment_of(issued_on)  # its record and its posting, dated with it (ADR 0037)
    seller = legal.seller()
    options = [(OptionKind(o.kind).label, o.amount_cents) for o in quote.options.all()] if quote else []
    rates = {"fee_rate": quote.fee_rate, "vat_rate": quote.vat_rate} if quote else {}
    p = price(quantity=order.quantity, face_value_cents=order.face_value_cents, options=options, **rates)
    lines = documents.pricing_lines(p, quantity=order.quantity, face_value_cents=order.face_value_cents)
    # Lock the funder's credit notes so that two invoices cannot deduct the same credit.
    list(CreditNote.objects.select_for_update().filter(funder=order.funder).values_list("pk", flat=True))
    credits, left = [], p.total_cents
    for note, available in credit_available(order.funder, on=issued_on):
        if left == 0:
            break
        used = min(available, left)
        credits.append((note, used))
        left -= used
    buyer = _buyer_of(order.funder, quote)
    # BT-49: its address in the directory of e-invoices is its SIREN (ADR 0058), checked as typed in
    # the back office, whose field has no check of its own.
    clean_siret(
        buyer.siret or buyer.siren,
        siren_allowed=True,
        missing=(
            f"Facture impossible : le commanditaire « {buyer.name} » n'a pas de numéro SIRET. Une facture "
            "électronique est adressée au SIREN de son destinataire (annuaire des factures électroniques) : "
            "renseignez le SIRET de l'organisation, puis émettez la facture."
        ),
        invalid=(
            f"Facture impossible : le numéro SIRET du commanditaire « {buyer.name} » ({{raw}}) n'est pas valide "
            "(14 chiffres, clé de contrôle) : corrigez-le dans la fiche de l'organisation, puis émettez la facture."
        ),
    )
    number = numbering.number_next(kind=DocumentKind.INVOICE, year=issued_on.year)
    invoice = Invoice(
        number=number,
        issued_on=issued_on,
        due_on=issued_on + datetime.timedelta(days=seller.payment_days),
        funder=order.funder,
        order=order,
        quote=quote,
        buyer_name=buyer.name,
        buyer_siren=buyer.siren,
        buyer_siret=buyer.siret,
        buyer_address=buyer.address,
        buyer_postcode=buyer.postcode,
        buyer_city=buyer.city,
        purchase_order_ref=quote.purchase_order_ref if quote else "",
        commitment_number=quote.commitment_number if quote else "",
        service_code=buyer.service_code,
        face_total_cents=p.face_total_cents,
        fee_cents=p.fee_cents,
        options_cents=p.options_cents,
        vat_cents=p.vat_cents,
        total_cents=p.total_cents,
        credits_cents=p.total_cents - left,
        due_cents=left,
        created_by=actor,
        created_at=when,
    )
    invoice.pdf = documents.invoice_pdf(invoice, lines, [(n.number, n.issued_on, c) for n, c in credits])
    charged = p.fee_cents + p.options_cents + p.vat_cents
    if charged:
        invoice.ledger_transaction = ledger.transaction_post(
            kind="invoice",
            description=f"Facture {number} : frais, options et TVA (commande n° {order.pk})",
            reference=f"invoice:{number}",
            lines=[
                (ledger.funder_account(order.funder), charged),
                (ledger.platform_account("platform:fees"), -(p.fee_cents + p.options_cents)),
                (ledger.platform_account("platform:vat"), -p.vat_cents),
            ],
            actor=actor,
            at=when,
        )
    invoice.save()
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                position=n,
                label=line.label,
                quantity=line.quantity,
                unit_price_cents=line.unit_price_cents,
                amount_cents=line.amount_cents,
                vat_rate=line.vat_rate or 0,
                vat_cents=line.vat_cents,
            )
            for n, line in enumerate(lines, start=1)
        ]
    )
    CreditApplication.objects.bulk_create(
        [CreditApplication(credit_note=n, invoice=invoice, amount_cents=c) for n, c in credits]
    )
    if invoice.due_cents == 0:
        _order_paid(invoice, actor, at=when)
    audit_record(actor=actor, action=AuditAction.INVOICE_ISSUED, target=invoice, organisation=order.funder, at=when)
    return invoice


@transaction.atomic
def payment_record(
    *,
    invoice: Invoice,
    amount_cents: int,
    received_on: datetime.date,
    actor,
    method: str = PaymentMethod.TRANSFER,
    reference: str = "",
    start_printing: bool = True,
) -> Payment:
    """The funder paid the invoice's net amount: in the books, then the order's fund share and printing.

    start_printing=False only for the demo, whose hundreds of thousands of vouchers are not printed
    when `make run` starts (printing's own demo decides what it prints)."""
    invoice = Invoice.objects.select_for_update(of=("self",)).select_related("funder", "order").get(pk=invoice.pk)
    if Payment.objects.filter(invoice=invoice).exists():
        raise DomainError(f"La facture {invoice.number} est déjà payée.")
    if invoice.due_cents == 0:
        raise DomainError(f"La facture {invoice.number} est entièrement réglée par avoir : rien à encaisser.")
    if method not in PaymentMethod.values:
        raise DomainError("Choisissez le moyen de paiement.", field="method")
    if not isinstance(amount_cents, int) or amount_cents != invoice.due_cents:
        raise DomainError(
            f"Le montant reçu ({euros(amount_cents) if isinstance(amount_cents, int) else amount_cents}) diffère du "
            f"net à payer de la facture {invoice.number} ({euros(invoice.due_cents)}) : un paiement règle la "
            "facture entière. Vérifiez le montant, ou contactez le commanditaire.",
            field="amount",
        )
    if not isinstance(received_on, datetime.date) or received_on > _today():
        raise DomainError("La date de réception ne peut pas être dans le futur.", field="received_on")
    if received_on < invoice.issued_on:
        raise DomainError(
            f"La date de réception précède la facture (émise le {invoice.issued_on:%d/%m/%Y}).", field="received_on"
        )
    when = clock.moment_of(received_on)
    posted = ledger.transaction_post(
        kind="payment",
        description=f"Paiement de la facture {invoice.number} par {invoice.funder.name}",
        reference=f"payment:{invoice.number}",
        lines=[
            (ledger.platform_account("platform:bank"), amount_cents),
            (ledger.funder_account(invoice.funder), -amount_cents),
        ],
        actor=actor,
        at=when,
    )
    payment = Payment.objects.create(
        invoice=invoice,
        amount_cents=amount_cents,
        received_on=received_on,
        method=method,
        reference=(reference or "").strip()[:100],
        ledger_transaction=posted,
        recorded_by=actor,
        recorded_at=when,
    )
    _order_paid(invoice, actor, start_printing=start_printing, at=when)
    audit_record(
        actor=actor,
        action=AuditAction.PAYMENT_RECORDED,
        target=invoice,
        organisation=invoice.funder,
        details={"amount_cents": amount_cents, "received_on": received_on},
        at=when,
    )
    return payment


def _funder_territory(funder) -> tuple[str, str, str]:
    from aptic.providers.selectors import funder_territory

    territory = funder_territory(funder)
    return (territory.kind, territory.code, territory.label) if territory else NATIONAL


def _order_paid(invoice: Invoice, actor, *, start_printing: bool = True, at=None) -> None:
    """The order is paid: 1 % of its face value to its territory's fund, then printing may start."""
    share = fund_share(invoice.face_total_cents)
    if share:
        kind, code, name = _funder_territory(invoice.funder)
        posted = ledger.transaction_post(
            kind="territorial_fund",
            description=f"Fonds territorial {name} : 1 % de la commande n° {invoice.order_id}",
            reference=f"fund:order:{invoice.order_id}",
            lines=[
                (ledger.platform_account("platform:fees"), share),
                (ledger.platform_account("platform:territorial_fund"), -share),
            ],
            actor=actor,
            at=at,
        )
        FundMovement.objects.create(
            territory_kind=kind,
            territory_code=code,
            territory_name=name[:100],
            funder=invoice.funder,
            order_id=invoice.order_id,
            face_total_cents=invoice.face_total_cents,
            amount_cents=share,
            ledger_transaction=posted,
            created_at=posted.created_at,
        )
    if start_printing:  # printing starts when the payment is recorded: now, whatever its day
        _release_printing(invoice.order, actor)


def _release_printing(order: Order, actor) -> None:
    try:  # the printing app may not be deployed (or built) yet
        from aptic.printing.services import order_print_release
    except ImportError:
        logger.warning("Printing not available: order %s paid, no print release.", order.pk)
        return
    try:
        from aptic.printing.models import PrintRelease
    except ImportError:
        PrintRelease = None  # noqa: N806
    if PrintRelease is not None and PrintRelease.objects.filter(order=order).exists():
        return  # released early (a public body paying after service): nothing more to do
    order_print_release(order=order, user=actor, reason="paid")


def _credit_note_create(note: CreditNote, lines: list[Line], buyer, preceding, invoice=None) -> CreditNote:
    """`invoice`: the one it credits, whose Chorus Pro references it repeats (ADR 0058)."""
    references = (
        {"commitment_number": invoice.commitment_number, "purchase_order_ref": invoice.purchase_order_ref}
        if invoice
        else {}
    )
    note.pdf = documents.credit_note_pdf(note, lines, buyer=buyer, preceding=preceding, **references)
    note.save()
    return note


@transaction.atomic
def credit_note_correction_issue(
    *, invoice: Invoice, amount_excl_vat_cents: int, reason: str, actor, issued_on: datetime.date | None = None
) -> CreditNote:
    """Correct an invoice's fee or options (never edited): a credit note of that amount plus its VAT.
    `issued_on`: today unless given (the demo's calendar), never before the invoice."""
    invoice = Invoice.objects.select_for_update(of=("self",)).select_related("funder").get(pk=invoice.pk)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Indiquez le motif de l'avoir.", field="reason")
    if not isinstance(amount_excl_vat_cents, int) or amount_excl_vat_cents <= 0:
        raise DomainError("Le montant HT de l'avoir doit être positif.", field="amount")
    corrected = (
        CreditNote.objects.filter(invoice=invoice, kind=CreditNoteKind.CORRECTION).aggregate(
            total=Sum("amount_excl_vat_cents")
        )["total"]
        or 0
    )
    room = invoice.fee_cents + invoice.options_cents - corrected
    if amount_excl_vat_cents > room:
        raise DomainError(
            f"Un avoir de correction porte sur les frais et options de la facture {invoice.number} : "
            f"{euros(room)} HT au plus restent à corriger.",
            field="amount",
        )
    vat_rate = invoice.lines.exclude(vat_rate=0).values_list("vat_rate", flat=True).first()
    vat = apply_rate(amount_excl_vat_cents, vat_rate) if vat_rate else 0
    total = amount_excl_vat_cents + vat
    issued_on = issued_on or _today()
    if issued_on < invoice.issued_on:
        raise DomainError(f"Un avoir ne précède pas sa facture (émise le {invoice.issued_on:%d/%m/%Y}).")
    number = numbering.number_next(kind=DocumentKind.CREDIT_NOTE, year=issued_on.year)
    when = clock.moment_of(issued_on)
    posted = ledger.transaction_post(
        kind="credit_note",
        description=f"Avoir {number} sur la facture {invoice.number} : {reason}",
        reference=f"credit_note:{number}",
        lines=[
            (ledger.platform_account("platform:fees"), amount_excl_vat_cents),
            (ledger.platform_account("platform:vat"), vat),
            (ledger.funder_account(invoice.funder), -total),
        ],
        actor=actor,
        at=when,
    )
    note = CreditNote(
        number=number,
        issued_on=issued_on,
        kind=CreditNoteKind.CORRECTION,
        funder=invoice.funder,
        order_id=invoice.order_id,
        invoice=invoice,
        buyer_name=invoice.buyer_name,
        amount_excl_vat_cents=amount_excl_vat_cents,
        vat_cents=vat,
        total_cents=total,
        reason=reason[:250],
        ledger_transaction=posted,
        created_by=actor,
        created_at=when,
    )
    line = Line(
        f"Correction de la facture {invoice.number}",
        1,
        amount_excl_vat_cents,
        amount_excl_vat_cents,
        vat_rate or None,
        vat,
    )
    buyer = einvoice.Buyer.of(invoice)
    note = _credit_note_create(note, [line], buyer, [(invoice.number, invoice.issued_on)], invoice)
    audit_record(
        actor=actor,
        action=AuditAction.CREDIT_NOTE_ISSUED,
        target=note,
        organisation=invoice.funder,
        details={"invoice": invoice.number, "reason": reason},
        at=when,
    )
    return note


@transaction.atomic
def expiry_credit_note_issue(
    *, posting: Transaction, actor=None, issued_on: datetime.date | None = None
) -> CreditNote | None:
    """The credit note of one expiry posting (vouchers.lifecycle.order_expire): once per posting;
    dated today unless `issued_on` is given (the demo's calendar)."""
    posting = Transaction.objects.select_for_update().get(pk=posting.pk)
    if posting.kind != "expiry" or CreditNote.objects.filter(ledger_transaction=posting).exists():
        return None
    order = Order.objects.select_related("funder__commune").get(pk=int(posting.reference.split(":")[1]))
    credited = -(
        Entry.objects.filter(transaction=posting, account=ledger.funder_account(order.funder)).aggregate(
            total=Sum("amount_cents")
        )["total"]
        or 0
    )
    if credited <= 0 or credited % order.face_value_cents:
        raise DomainError(f"L'écriture d'expiration n° {posting.pk} ne correspond pas à des chèques entiers.")
    count = credited // order.face_value_cents
    issued_on = issued_on or _today()
    number = numbering.number_next(kind=DocumentKind.CREDIT_NOTE, year=issued_on.year)
    invoice = Invoice.objects.filter(order=order).first()
    note = CreditNote(
        number=number,
        issued_on=issued_on,
        kind=CreditNoteKind.EXPIRY,
        funder=order.funder,
        order=order,
        invoice=None,
        buyer_name=(invoice.buyer_name if invoice else order.funder.name),
        voucher_count=count,
        face_total_cents=credited,
        total_cents=credited,
        reason=f"{formats.count(count, 'chèque', space=formats.NBSP)} de la commande n° {order.pk} "
        f"{formats.plural(count, 'non utilisé', 'non utilisés')} au {formats.date(order.grace_until)} : "
        "avoir de leur valeur faciale.",
        ledger_transaction=posting,
        created_by=actor,
        created_at=clock.moment_of(issued_on),
    )
    line = Line(f"Chèques expirés — commande n° {order.pk}", count, order.face_value_cents, credited, None, 0)
    buyer = einvoice.Buyer.of(invoice) if invoice else _buyer_of(order.funder, getattr(order, "quote", None))
    preceding = [(invoice.number, invoice.issued_on)] if invoice else []
    return _credit_note_create(note, [line], buyer, preceding, invoice)


def expiry_credit_notes_issue(*, actor=None, issued_on: datetime.date | None = None) -> list[CreditNote]:
    """A credit note for every expiry posting that has none yet (run right after the daily expiry;
    catches up on any run that stopped half-way). Each in its own transaction."""
    pending = (
        Transaction.objects.filter(kind="expiry")
        .exclude(pk__in=CreditNote.objects.values("ledger_transaction_id"))
        .order_by("pk")
    )
    made = []
    for posting in pending:
        note = expiry_credit_note_issue(posting=posting, actor=actor, issued_on=issued_on)
        if note is not None:
            made.append(note)
    return made
