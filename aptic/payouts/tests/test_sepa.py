"""The SEPA file as a bank takes it (ADR 0044): pain.001.001.09 by default and .03 on request, each
checked by xmlschema against the ISO schema; every text node in the EPC's basic Latin set and within its
length, checked by a regular expression of the rulebook's set (not by our function); execution on a
TARGET2 business day."""

import datetime
import re

import pytest
import xmlschema
from django.utils import timezone
from lxml import etree

from aptic.core.errors import DomainError

from .. import services
from ..models import PayoutRun, RunKind
from ..sepa import schema_path
from ..sepa_text import sepa_text
from ..target2 import is_closing_day, next_business_day
from .conftest import rib_upload
from .test_bank import GOOD

pytestmark = pytest.mark.django_db

# The EPC SEPA credit transfer rulebook's character set, written out here on its own.
EPC_CHARSET = r"^[a-zA-Z0-9/\-?:().,'+ ]*$"
LIMITS = {"Nm": 70, "Ustrd": 140, "MsgId": 35, "PmtInfId": 35, "EndToEndId": 35}
HOSTILE = [
    ("Coopérative Clic & Lien 3", "Cooperative Clic et Lien 3"),
    ("Œuvre « Les Ateliers » ; n° 5 #1 @home", "OEuvre Les Ateliers, no 5 1 home"),
    ('"Fablab" <script>alert(1)</script>', "Fablab scriptalert(1)/script"),
    ("Ärzte Straße ½ € — “ok”", "Arzte Strasse 1/2 EUR -- ok"),
    ("中文 Tiers_lieu [Nord] {Sud}", "Zhong Wen Tiers-lieu (Nord) (Sud)"),
    ("//A//B/", "A/B"),
    ("Médiathèque " + "é" * 80, "Mediatheque " + "e" * 58),
]


@pytest.mark.parametrize(("value", "expected"), HOSTILE)
def test_text_is_reduced_to_the_sepa_set_and_its_limit(value, expected):
    assert sepa_text(value, 70) == expected


def test_a_holder_with_no_latin_letter_is_refused_at_entry(pay):
    provider = pay.provider("Sans lettres", bank=False)
    with pytest.raises(DomainError, match="lettres latines"):
        services.bank_details_submit(
            provider=provider, user=provider.admin, rib=rib_upload(), **{**GOOD, "holder": "😀 «» #@"}
        )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2026-12-24", "2026-12-24"),  # Thursday
        ("2026-12-25", "2026-12-28"),  # Christmas (Fri), 26 December (Sat), Sunday
        ("2026-04-03", "2026-04-07"),  # Good Friday, weekend, Easter Monday (Easter: 5 April 2026)
        ("2027-03-26", "2027-03-30"),  # Good Friday 2027 (Easter: 28 March)
        ("2026-05-01", "2026-05-04"),  # 1 May (Fri)
        ("2027-01-01", "2027-01-04"),  # New Year (Fri)
        ("2026-08-09", "2026-08-10"),  # a Sunday
        ("2026-05-14", "2026-05-14"),  # Ascension: a French holiday, not a TARGET2 one
    ],
)
def test_execution_is_asked_for_the_next_target2_business_day(day, expected):
    assert next_business_day(datetime.date.fromisoformat(day)) == datetime.date.fromisoformat(expected)


def _export(pay, run_jobs):
    names = [value for value, _ in HOSTILE]
    for n, name in enumerate(names):
        pay.redeem(pay.provider(name[:70], iban_index=n), 1)
    with run_jobs():
        run = services.run_create(kind=RunKind.MONTHLY, month=pay.month, user=pay.staff)
    services.run_approve(run=PayoutRun.objects.get(pk=run.pk), user=pay.staff2)
    with run_jobs():
        services.run_export(run=PayoutRun.objects.get(pk=run.pk), user=pay.staff)
    run = PayoutRun.objects.get(pk=run.pk)
    with run.sepa_file.open("rb") as handle:
        return run, handle.read(), len(names)


@pytest.fixture
def run_jobs(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.mark.parametrize("version", ["pain.001.001.09", "pain.001.001.03"])
def test_the_file_passes_the_iso_schema_and_the_sepa_charset(pay, run_jobs, settings, version):
    settings.APTIC_SEPA_SCHEMA = version
    settings.APTIC_SEPA_DEBTOR_NAME = "Association « APTIC » & Cie"
    run, data, count = _export(pay, run_jobs)
    xmlschema.XMLSchema(str(schema_path(version))).validate(data.decode())
    document = etree.fromstring(data)
    assert etree.QName(document).namespace == f"urn:iso:std:iso:20022:tech:xsd:{version}"
    texts = [(etree.QName(node).localname, node.text) for node in document.iter() if node.text and node.text.strip()]
    assert [text for _, text in texts if not re.match(EPC_CHARSET, text)] == []
    assert [(tag, text) for tag, text in texts if len(text) > LIMITS.get(tag, 140)] == []
    names = {text for tag, text in texts if tag == "Nm"}
    assert {"Cooperative Clic et Lien 3", "Association APTIC et Cie"} <= names
    assert len(document.findall(".//{*}CdtTrfTxInf")) == count
    executed = datetime.date.fromisoformat(
        document.findtext(".//{*}ReqdExctnDt//{*}Dt") or document.findtext(".//{*}ReqdExctnDt")
    )
    today = timezone.localdate()
    assert executed == run.execution_date and today <= executed < today + datetime.timedelta(days=5)
    assert executed.weekday() < 5 and (executed.month, executed.day) not in ((1, 1), (5, 1), (12, 25), (12, 26))
    assert not is_closing_day(executed)
