"""The SEPA credit transfer file of an exported run, written once (ADR 0044).

ISO 20022 pain.001.001.09 by default, as the EPC rulebooks ask since 2023; pain.001.001.03 for a bank
that still wants it (APTIC_SEPA_SCHEMA). sepaxml builds it from text already reduced to the SEPA
character set; it is checked against the ISO schema sepaxml ships (lxml, fast enough for ten thousand
transfers) before it is stored: a file the bank would refuse is never handed out."""

import hashlib
from pathlib import Path

import sepaxml
from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from lxml import etree
from sepaxml import SepaTransfer

from aptic.core.errors import DomainError

from .models import Payout, PayoutRun, PayoutStatus, payout_reference
from .sepa_text import IDENTIFIER, NAME, REMITTANCE, sepa_text
from .target2 import next_business_day

SCHEMAS = ("pain.001.001.09", "pain.001.001.03")
# A valid demonstration account (the platform's real one comes from the environment).
DEMO_DEBTOR = ("Association APTIC", "FR7630004000031234567890143", "BNPAFRPP")


def schema_name() -> str:
    return getattr(settings, "APTIC_SEPA_SCHEMA", "") or SCHEMAS[0]


def schema_path(name: str) -> Path:
    return Path(sepaxml.__file__).parent / "schemas" / f"{name}.xsd"


def debtor() -> dict:
    return {
        "name": sepa_text(getattr(settings, "APTIC_SEPA_DEBTOR_NAME", "") or DEMO_DEBTOR[0], NAME),
        "IBAN": getattr(settings, "APTIC_SEPA_DEBTOR_IBAN", "") or DEMO_DEBTOR[1],
        "BIC": getattr(settings, "APTIC_SEPA_DEBTOR_BIC", "") or DEMO_DEBTOR[2],
        "batch": True,
        "currency": "EUR",
    }


class _Transfer(SepaTransfer):
    """sepaxml draws a random message id; ours names the run, so the bank's reports can be matched.
    Its own cleaning (transliteration only) is off: sepa_text() does that and the character set."""

    def __init__(self, config, msg_id: str, schema: str):
        self._fixed_msg_id = msg_id
        super().__init__(config, schema=schema, clean=False)

    def _create_header(self):
        self.msg_id = self._fixed_msg_id
        super()._create_header()


_schemas: dict[str, etree.XMLSchema] = {}


def schema(name: str) -> etree.XMLSchema:
    if name not in _schemas:
        _schemas[name] = etree.XMLSchema(etree.parse(str(schema_path(name))))
    return _schemas[name]


def sepa_build(run: PayoutRun, payouts) -> tuple[str, bytes]:
    name = schema_name()
    msg_id = sepa_text(f"{run.reference}-{timezone.localtime():%Y%m%d%H%M%S}", IDENTIFIER)
    transfer = _Transfer(debtor(), msg_id, name)
    execution = run.execution_date or next_business_day(timezone.localdate())
    for row in payouts:
        holder = sepa_text(row["holder"], NAME)
        if not holder:
            raise DomainError(
                f"Le titulaire du compte du remboursement {row['reference']} n'a aucun caractère qu'accepte "
                "un virement SEPA : corrigez ses coordonnées bancaires."
            )
        transfer.add_payment(
            {
                "name": holder,
                "IBAN": row["iban"],
                "BIC": row["bic"],
                "amount": int(row["net_cents"]),
                "execution_date": execution,
                "description": sepa_text(f"Remboursement cheques APTIC {row['reference']}", REMITTANCE),
                "endtoend_id": sepa_text(row["reference"], IDENTIFIER),
            }
        )
    data = transfer.export(validate=False)
    document = etree.fromstring(data)
    if not schema(name).validate(document):
        error = schema(name).error_log.last_error
        raise DomainError(f"Le fichier SEPA ne respecte pas le schéma {name} ({error}) : rien n'est exporté.")
    return msg_id, data


def sepa_write(run: PayoutRun) -> None:
    """Build, check and attach the file (the caller saves the run, in its transaction)."""
    rows = (
        Payout.objects.filter(run=run, status=PayoutStatus.SENT)
        .order_by("pk")
        .values("pk", "run_id", "holder", "iban", "bic", "net_cents")
    )
    payouts = [{**row, "reference": payout_reference(row["run_id"], row["pk"])} for row in rows.iterator()]
    msg_id, data = sepa_build(run, payouts)
    run.sepa_message_id = msg_id
    run.sepa_sha256 = hashlib.sha256(data).hexdigest()
    run.sepa_file.save(f"{run.reference}.xml", ContentFile(data), save=False)
