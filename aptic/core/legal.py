"""The seller written on quotes, invoices and credit notes: the platform's legal identity.

Set in settings (APTIC_LEGAL_*); the defaults are a demonstration identity, clearly not a real
company, so that a deployment without them never issues documents in someone else's name."""

from dataclasses import dataclass

from django.conf import settings

DEFAULTS = {
    "NAME": "#APTIC — plateforme de démonstration",
    "FORM": "SCIC SA",
    "CAPITAL": "capital variable",
    "ADDRESS": "1 rue de la Démonstration",
    "POSTCODE": "33000",
    "CITY": "Bordeaux",
    "SIRET": "90000000100017",
    "RCS": "RCS Bordeaux 900 000 001",
    "VAT_NUMBER": "FR68900000001",
    "EMAIL": "facturation@aptic.example",
    "IBAN": "FR7630006000011234567890189",
    "BIC": "AGRIFRPPXXX",
    # Late-payment terms, mandatory on invoices between professionals (Code de commerce L441-10).
    "LATE_PENALTY": "taux d'intérêt appliqué par la BCE à son opération de refinancement la plus récente, "
    "majoré de 10 points",
    "PAYMENT_DAYS": 30,
}


@dataclass(frozen=True)
class Seller:
    name: str
    form: str
    capital: str
    address: str
    postcode: str
    city: str
    siret: str
    rcs: str
    vat_number: str
    email: str
    iban: str
    bic: str
    late_penalty: str
    payment_days: int

    @property
    def siren(self) -> str:
        return self.siret[:9]


def seller() -> Seller:
    values = {key.lower(): getattr(settings, f"APTIC_LEGAL_{key}", default) for key, default in DEFAULTS.items()}
    values["payment_days"] = int(values["payment_days"])
    return Seller(**values)
