"""The SEPA credit transfer file (ISO 20022 pain.001.001.03) of an exported run, written once.

sepaxml builds it; it is checked against the schema sepaxml ships (lxml, fast enough for ten
thousand transfers) before it is stored: a file the bank would refuse is never handed out."""

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

SCHEMA = "pain.001.001.03"
SCHEMA_PATH = Path(sepaxml.__file__).parent / "schemas" / f"{SCHEMA}.xsd"
# A valid demonstration account (the platform's real one comes from the environment).
DEMO_DEBTOR = ("Association APTIC", "FR7630004000031234567890143", "BNPAFRPP")


def debtor() -> dict:
    return {
        "name": getattr(settings, "APTIC_SEPA_DEBTOR_NAME", "") or DEMO_DEBTOR[0],
        "IBAN": getattr(settings, "APTIC_SEPA_DEBTOR_IBAN", "") or DEMO_DEBTOR[1],
        "BIC": getattr(settings, "APTIC_SEPA_DEBTOR_BIC", "") or DEMO_DEBTOR[2],
        "batch": True,
        "currency": "EUR",
    }


class _Transfer(SepaTransfer):
    """sepaxml draws a random message id; ours names the run, so the bank's reports can be matched."""

    def __init__(self, config, msg_id: str):
        self._fixed_msg_id = msg_id
        super().__init__(config, schema=SCHEMA)

    def _create_header(self):
        self.msg_id = self._fixed_msg_id
        super()._create_header()


_schema = None


def schema() -> etree.XMLSchema:
    global _schema
    if _schema is None:
        _schema = etree.XMLSchema(etree.parse(str(SCHEMA_PATH)))
    return _schema


def sepa_build(run: PayoutRun, payouts) -> tuple[str, bytes]:
    msg_id = f"{run.reference}-{timezone.localtime():%Y%m%d%H%M%S}"
    transfer = _Transfer(debtor(), msg_id)
    execution = run.execution_date or timezone.localdate()
    for row in payouts:
        transfer.add_payment(
            {
                "name": row["holder"],
                "IBAN": row["iban"],
                "BIC": row["bic"],
                "amount": int(row["net_cents"]),
                "execution_date": execution,
                "description": f"Remboursement cheques APTIC {row['reference']}",
                "endtoend_id": row["reference"],
            }
        )
    data = transfer.export(validate=False)
    document = etree.fromstring(data)
    if not schema().validate(document):
        error = schema().error_log.last_error
        raise DomainError(f"Le fichier SEPA ne respecte pas le schéma {SCHEMA} ({error}) : rien n'est exporté.")
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
