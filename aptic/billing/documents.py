"""The printed documents: what each one says (lines, totals, legal mentions), handed to pdf.render,
then, for invoices and credit notes, to einvoice.embed (Factur-X)."""

import datetime

from aptic.core import formats, legal

from . import einvoice
from .models import is_public_buyer
from .pdf import Document, Line, date_fr, euros, render
from .pricing import Pricing

FACE_LABEL = "Chèques #APTIC — valeur faciale"
FEE_LABEL = "Frais de gestion ({rate} de la valeur faciale)"
NO_DISCOUNT = "Pas d'escompte pour paiement anticipé."
# Late-payment terms (ADR 0045). A private buyer: the Code de commerce, at the seller's rate (settings). A public
# buyer (models.is_public_buyer): the public procurement code, whose interest rate and indemnity the law fixes.
RECOVERY = "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 € (art. L441-10 et D441-5 du Code de commerce)."  # noqa: E501
PUBLIC_INTEREST = (
    "Intérêts moratoires en cas de retard de paiement : taux d'intérêt appliqué par la Banque centrale européenne à "
    "ses opérations principales de refinancement les plus récentes, en vigueur au premier jour du semestre au cours "
    "duquel ils ont commencé à courir, majoré de 8 points (art. L2192-13 et R2192-31 du Code de la commande publique)."
)
PUBLIC_RECOVERY = (
    "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 € (art. L2192-13 et "
    "R2192-35 du Code de la commande publique)."
)
FUND = (
    "1 % de la valeur faciale est reversé au fonds territorial pour l'innovation sociale et numérique de votre "
    "territoire, sur les frais de gestion (il n'est pas facturé en plus)."
)
OUTSIDE_VAT = (
    "La valeur faciale des chèques n'est pas soumise à la TVA (titres de paiement, hors du champ de la TVA) ; "
    "les frais de gestion et les options sont soumis à la TVA au taux de 20 %."
)


def late_payment_terms(seller: legal.Seller, *, public: bool) -> tuple[str, str]:
    """(interest, recovery indemnity) for a public or private buyer: the last mentions of its quotes and
    invoices, and the PMD and PMT notes of its Factur-X documents."""
    if public:
        return PUBLIC_INTEREST, PUBLIC_RECOVERY
    return f"Pénalités de retard : {seller.late_penalty}.", RECOVERY


def legal_notes(seller: legal.Seller, *, public: bool) -> list[tuple[str, str]]:
    """The notes the French e-invoicing rules ask of every invoice and credit note (BR-FR-05), with their
    UNTDID 4451 subject codes: no discount (AAB), late-payment interest (PMD), recovery indemnity (PMT)."""
    interest, recovery = late_payment_terms(seller, public=public)
    return [("AAB", NO_DISCOUNT), ("PMD", interest), ("PMT", recovery)]


def _percent(rate) -> str:
    from .pdf import rate as fmt

    return fmt(rate)


def pricing_lines(p: Pricing, *, quantity: int, face_value_cents: int) -> list[Line]:
    lines = [Line(FACE_LABEL, quantity, face_value_cents, p.face_total_cents, None, 0)]
    if p.fee_cents:
        lines.append(
            Line(FEE_LABEL.format(rate=_percent(p.fee_rate)), 1, p.fee_cents, p.fee_cents, p.vat_rate, p.fee_vat_cents)
        )
    lines += [Line(o.label, 1, o.amount_cents, o.amount_cents, p.vat_rate, o.vat_cents) for o in p.options]
    return lines


def _buyer_lines(name, address, postcode, city, siren, siret) -> list[str]:
    ident = f"SIRET {siret}" if siret else (f"SIREN {siren}" if siren else "")
    return [name, address, f"{postcode} {city}".strip(), ident]


def quote_pdf(quote, p: Pricing, *, issued_on: datetime.date) -> bytes:
    seller = legal.seller()
    interest, recovery = late_payment_terms(seller, public=is_public_buyer(quote.buyer_legal_category))
    commune = quote.buyer_commune
    offer = quote.offer
    activation = (
        "utilisables dès l'émission"
        if quote.activation == "on_issue"
        else "activés carnet par carnet à la remise au bénéficiaire"
    )
    rules = []
    for name, label in (
        ("rule_regions", "régions"),
        ("rule_departements", "départements"),
        ("rule_epcis", "intercommunalités"),
        ("rule_communes", "communes"),
        ("rule_typologies", "types de lieux"),
        ("rule_categories", "services payables"),
    ):
        values = [str(v) for v in getattr(quote, name).all()[:30]]
        if values:
            rules.append(f"{label} : {', '.join(values)}")
    notes = [
        f"Offre {offer.name} : {formats.count(quote.quantity, 'chèque', space=formats.NBSP)} de "
        f"{euros(quote.face_value_cents)} en carnets de {quote.booklet_size}, {activation}.",
        "Règles d'utilisation : "
        + ("; ".join(rules) if rules else "aucune restriction (toute la France).")
        + (
            f" Au plus {formats.count(quote.max_vouchers_per_act, 'chèque', space=formats.NBSP)} par service rendu."
            if quote.max_vouchers_per_act
            else ""
        ),
        "Chèques valables jusqu'au 31 décembre de l'année d'émission, acceptés jusqu'au 31 janvier suivant. Les "
        "chèques non utilisés à l'échéance donnent lieu à un avoir de leur valeur faciale, déductible d'une "
        "commande suivante (les frais de gestion ne sont pas remboursés).",
        OUTSIDE_VAT,
        FUND,
        f"Devis gratuit, valable jusqu'au {date_fr(quote.valid_until)}. Acceptation : devis signé avec la mention "
        "« Bon pour accord », ou bon de commande public, déposé en ligne avec le lien reçu par e-mail.",
        f"Facture émise à la validation de la commande, payable à {seller.payment_days} jours par virement ; "
        "impression des chèques après paiement. " + NO_DISCOUNT,
        f"{interest} {recovery}",
    ]
    doc = Document(
        title="Devis",
        number=quote.number,
        issued_on=issued_on,
        seller=seller,
        buyer=_buyer_lines(
            quote.buyer_name,
            quote.buyer_address,
            commune.postal_codes.split(" ")[0] if commune.postal_codes else "",
            commune.name,
            quote.buyer_siren,
            quote.buyer_siret,
        )
        + [f"À l'attention de {quote.contact_name}"],
        lines=pricing_lines(p, quantity=quote.quantity, face_value_cents=quote.face_value_cents),
        totals=[
            ("Total HT", p.total_excl_vat_cents, False),
            ("dont valeur faciale hors champ de TVA", p.face_total_cents, False),
            (f"TVA {_percent(p.vat_rate)}", p.vat_cents, False),
            ("Total TTC", p.total_cents, True),
        ],
        dates=[("Valable jusqu'au", date_fr(quote.valid_until))],
        notes=notes,
        signature=True,
    )
    return render(doc)


def invoice_pdf(invoice, lines: list[Line], credits: list[tuple[str, datetime.date, int]]) -> bytes:
    """credits: (credit note number, its date, amount deducted)."""
    seller = legal.seller()
    buyer = einvoice.Buyer.of(invoice)
    interest, recovery = late_payment_terms(seller, public=buyer.public)
    notes = [
        OUTSIDE_VAT,
        FUND,
        f"Commande n° {invoice.order_id}"
        + (f" — bon de commande {invoice.purchase_order_ref}" if invoice.purchase_order_ref else ""),
        f"Date de la prestation : {date_fr(invoice.issued_on)}. À payer avant le {date_fr(invoice.due_on)} par "
        f"virement : IBAN {seller.iban}, BIC {seller.bic}, en rappelant le numéro {invoice.number}. " + NO_DISCOUNT,
        f"{interest} {recovery}",
    ]
    notes += [f"Avoir {n} du {date_fr(d)} déduit : {euros(c)}." for n, d, c in credits]
    totals = [
        ("Total HT", invoice.face_total_cents + invoice.fee_cents + invoice.options_cents, False),
        ("dont valeur faciale hors champ de TVA", invoice.face_total_cents, False),
        ("TVA 20\u00a0%", invoice.vat_cents, False),
        ("Total TTC", invoice.total_cents, True),
    ]
    if invoice.credits_cents:
        totals.append(("Avoirs déduits", -invoice.credits_cents, False))
    totals.append(("Net à payer", invoice.due_cents, True))
    doc = Document(
        title="Facture",
        number=invoice.number,
        issued_on=invoice.issued_on,
        seller=seller,
        buyer=_buyer_lines(
            invoice.buyer_name,
            invoice.buyer_address,
            invoice.buyer_postcode,
            invoice.buyer_city,
            invoice.buyer_siren,
            invoice.buyer_siret,
        ),
        lines=lines,
        totals=totals,
        dates=[("Échéance", date_fr(invoice.due_on))],
        references=_chorus_references(invoice.purchase_order_ref, invoice.commitment_number, invoice.service_code),
        notes=notes,
    )
    e = einvoice.EInvoice(
        type_code=einvoice.INVOICE,
        number=invoice.number,
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        seller=seller,
        buyer=buyer,
        lines=lines,
        total_cents=invoice.total_cents,
        prepaid_cents=invoice.credits_cents,
        purchase_order_ref=invoice.purchase_order_ref,
        commitment_number=invoice.commitment_number,
        notes=[("", OUTSIDE_VAT), *legal_notes(seller, public=buyer.public)]
        + [("", f"Avoir {n} du {date_fr(d)} déduit : {euros(c)}.") for n, d, c in credits],
    )
    return einvoice.embed(render(doc), e)


def _chorus_references(purchase_order_ref: str, commitment_number: str, service_code: str) -> list[tuple[str, str]]:
    """What the PDF says of the buyer's references, as its CII does (BG-24, BT-13, BT-10)."""
    labelled = (
        ("Bon de commande", purchase_order_ref),
        ("N° d'engagement", commitment_number),
        ("Code service", service_code),
    )
    return [(label, value) for label, value in labelled if value]


def credit_note_pdf(
    note,
    lines: list[Line],
    *,
    buyer: einvoice.Buyer,
    preceding: list[tuple[str, datetime.date]],
    commitment_number: str = "",
    purchase_order_ref: str = "",
) -> bytes:
    seller = legal.seller()
    notes = [note.reason, "Cet avoir est déduit de votre prochaine facture #APTIC."]
    notes += [f"Se rapporte à la facture {n} du {date_fr(d)}." for n, d in preceding]
    if note.kind == "expiry":
        notes.append(OUTSIDE_VAT)
    terms = legal_notes(seller, public=buyer.public)  # the PDF says what its Factur-X notes say
    notes += [text for _, text in terms]
    totals = [("Total HT", note.face_total_cents + note.amount_excl_vat_cents, False)]
    if note.vat_cents:
        totals.append(("TVA 20\u00a0%", note.vat_cents, False))
    totals.append(("Total de l'avoir", note.total_cents, True))
    doc = Document(
        title="Avoir",
        number=note.number,
        issued_on=note.issued_on,
        seller=seller,
        buyer=_buyer_lines(buyer.name, buyer.address, buyer.postcode, buyer.city, buyer.siren, buyer.siret),
        lines=lines,
        totals=totals,
        references=[("Facture", n) for n, _ in preceding]
        + _chorus_references(purchase_order_ref, commitment_number, buyer.service_code),
        notes=notes,
    )
    e = einvoice.EInvoice(
        type_code=einvoice.CREDIT_NOTE,
        number=note.number,
        issued_on=note.issued_on,
        seller=seller,
        buyer=buyer,
        lines=lines,
        total_cents=note.total_cents,
        purchase_order_ref=purchase_order_ref,
        commitment_number=commitment_number,
        preceding=preceding,
        notes=[("", note.reason), *terms],
    )
    return einvoice.embed(render(doc), e)
