"""The demo dataset: deterministic, built on the real territories, grown by each issue's builder.

Only in embedded mode: demo accounts share one known password.
"""

import datetime
import hashlib
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from aptic.accounts import demo as two_factor
from aptic.billing import demo as billing
from aptic.core import reference
from aptic.core.errors import DomainError
from aptic.distribution import demo as distribution
from aptic.payouts import demo as payouts
from aptic.printing import demo as printing

from .builders import last_campaign, organisations, places, providers, reference_places, rollups, usage, vouchers
from .timeline import DemoCalendar

DATASET = "demo"
DEMO_PASSWORD = "aptic-demo-2026"
SEED = 2026


@dataclass
class DemoContext:
    """What builders share: the random source and what earlier builders made."""

    rng: random.Random
    password: str
    # 1 for `make run`; the tests build a small version of the same world.
    scale: float = 1.0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # (email, role label, organisation)
    organisations: dict[str, list] = field(default_factory=dict)
    orders: dict = field(default_factory=dict)  # the vouchers builder's, by key ("gironde", "expired"…)
    # Every date the builders write comes from it (ADR 0024); the build day by default.
    calendar: DemoCalendar = field(default_factory=lambda: DemoCalendar(timezone.localdate()))


# Each app's builder after those whose data it needs, in the calendar's order (ADR 0037): last
# campaign's order lives and expires before billing credits its expiry; billing invoices the
# vouchers' orders, printing prints the paid ones, distribution ships and hands out printed
# booklets, usage spends them, payouts reimburses the uses, rollups fold them for the dashboards.
BUILDERS = [
    organisations.build,
    places.build,
    providers.build,
    reference_places.build,  # after providers: the cartography lists a few labelled providers' places
    vouchers.build,
    last_campaign.build,
    billing.build,
    printing.build,
    distribution.build,
    usage.build,
    payouts.build,
    rollups.build,
    two_factor.build,  # last: every demo staff account gets the demo second factor
]
# Which demo a database holds: a new builder gives a new version.
_BUILDER_NAMES = ",".join(build.__module__.removesuffix(".demo").rsplit(".", 1)[-1] for build in BUILDERS)
# Raised when the builders change what they make without a new builder (2: the calendar, ADR 0024;
# 3: every date on the calendar and the year of use, ADR 0037; 4: questionnaires answered theme by
# theme, places' own e-mail addresses, ADR 0057).
REVISION = 4
# A digest: the names of eight builders no longer fit the 64 characters of the dataset's checksum.
VERSION = f"{SEED}:" + hashlib.sha256(f"{_BUILDER_NAMES};{REVISION}".encode()).hexdigest()[:32]


def demo_build(*, force: bool = False, scale: float = 1.0, today: datetime.date | None = None) -> DemoContext | None:
    """Build the demo data once; None when it is already there. `today`: the day the demo's calendar
    leads up to (the build day by default; never in the future: services refuse future dates)."""
    if not settings.EMBEDDED and not force:
        raise DomainError("Les données de démonstration ne se chargent qu'en mode embarqué (APTIC_ENV=embedded).")
    # The services e-mail as they would for real (decisions, invitations), at commit: keep those
    # messages off the console of `make run`, so the setting must outlive the transaction.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        return _build(scale, today or timezone.localdate())


@transaction.atomic
def _build(scale: float, today: datetime.date) -> DemoContext | None:
    if reference.ReferenceDataset.objects.filter(name=DATASET).exists():
        return None
    context = DemoContext(rng=random.Random(SEED), password=DEMO_PASSWORD, scale=scale, calendar=DemoCalendar(today))
    for build in BUILDERS:
        build(context)
    reference.mark_loaded(DATASET, VERSION, sum(len(v) for v in context.organisations.values()))
    return context


def demo_is_outdated() -> bool:
    """A database whose demo was built by fewer builders than the code now has."""
    loaded = reference.ReferenceDataset.objects.filter(name=DATASET).values_list("checksum", flat=True).first()
    return loaded is not None and loaded != VERSION
