"""The printed documents: what each one says (lines, totals, legal mentions), handed to pdf.render,
then, for invoices and credit notes, to einvoice.embed (Factur-X)."""

import datetime

from aptic.core import formats, legal

from . import einvoice
from .pdf import Document, Line, date_fr, euros, render
from .pricing import Pricing

FACE_LABEL = "Chèques #APTIC — valeur faciale"
FEE_LABEL = "Frais de gestion ({rate} de la valeur faciale)"
NO_DISCOUNT = "Pas d'escompte pour paiement anticipé."
RECOVERY = "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 € (art. L441-10 et D441-5 du Code de commerce)."  # noqa: E501
FUND = (
    "1 % de la valeur faciale est reversé au fonds territorial pour l'innovation sociale et numérique de votre "
    "territoire, sur les frais de gestion (il n'est pas facturé en plus)."
)
OUTSIDE_VAT = (
    "La valeur faciale des chèques n'est pas soumise à la TVA (titres de paiement, hors du champ de la TVA) ; "
    "les frais de gestion et les options sont soumis à la TVA au taux de 20 %."
)


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
        f"Pénalités de retard : {seller.late_penalty}. {RECOVERY}",
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
    notes = [
        OUTSIDE_VAT,
        FUND,
        f"Commande n° {invoice.order_id}"
        + (f" — bon de commande {invoice.purchase_order_ref}" if invoice.purchase_order_ref else ""),
        f"Date de la prestation : {date_fr(invoice.issued_on)}. À payer avant le {date_fr(invoice.due_on)} par "
        f"virement : IBAN {seller.iban}, BIC {seller.bic}, en rappelant le numéro {invoice.number}. " + NO_DISCOUNT,
        f"Pénalités de retard : {seller.late_penalty}. {RECOVERY}",
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
        references=[("Bon de commande", invoice.purchase_order_ref)] if invoice.purchase_order_ref else [],
        notes=notes,
    )
    e = einvoice.EInvoice(
        type_code=einvoice.INVOICE,
        number=invoice.number,
        issued_on=invoice.issued_on,
        due_on=invoice.due_on,
        seller=seller,
        buyer=einvoice.Buyer.of(invoice),
        lines=lines,
        total_cents=invoice.total_cents,
        prepaid_cents=invoice.credits_cents,
        purchase_order_ref=invoice.purchase_order_ref,
        notes=[
            ("", OUTSIDE_VAT),
            ("AAB", NO_DISCOUNT),
            ("PMD", f"Pénalités de retard : {seller.late_penalty}."),
            ("PMT", RECOVERY),
        ]
        + [("", f"Avoir {n} du {date_fr(d)} déduit : {euros(c)}.") for n, d, c in credits],
    )
    return einvoice.embed(render(doc), e)


def credit_note_pdf(
    note, lines: list[Line], *, buyer: einvoice.Buyer, preceding: list[tuple[str, datetime.date]]
) -> bytes:
    seller = legal.seller()
    notes = [note.reason, "Cet avoir est déduit de votre prochaine facture #APTIC."]
    notes += [f"Se rapporte à la facture {n} du {date_fr(d)}." for n, d in preceding]
    if note.kind == "expiry":
        notes.append(OUTSIDE_VAT)
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
        references=[("Facture", n) for n, _ in preceding],
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
        preceding=preceding,
        notes=[("", note.reason)],
    )
    return einvoice.embed(render(doc), e)
