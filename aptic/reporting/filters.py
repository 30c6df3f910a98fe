"""The filters of a dashboard, read from its URL (issue #14, ADR 0038): period, orders, territory,
service category, place typology, distributor, public.

Every page that shows a `Report` (funder, distributor, provider, staff drill-down) reads its query
string with `parse_filters`, against the choices the viewer may see (`filter_options`, built on the
viewer's own usage facts): an id that is not among them, whether unknown or another tenant's, is a
`DomainError` in French, which the page answers with a 400. The result gives the lookups of
`selectors.usage` and the French lines that state the view on the page and in its exports.

GET names: periode (mois, annee, tout, dates), du, au (AAAA-MM-JJ or JJ/MM/AAAA), commande
(repeatable), commune, epci, departement, categorie, typologie, aiguilleur, public."""

import datetime
import re
from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils import timezone

from aptic.accounts.models import Organisation
from aptic.core import formats
from aptic.core.errors import DomainError
from aptic.core.params import parse_id
from aptic.distribution.models import BeneficiaryCategory
from aptic.territories.models import Commune, Departement, Epci
from aptic.vocabulary.models import PlaceTypology, ServiceCategory
from aptic.vouchers.models import Order

from .selectors import usage

PERIODS = {
    "tout": "Depuis le début",
    "annee": "Cette année",
    "mois": "Ce mois-ci",
    "dates": "Période choisie",
}
DEFAULT_PERIOD = "tout"
EARLIEST = datetime.date(2000, 1, 1)  # before any voucher: an earlier date is a typing mistake
MAX_QUERY = 4000  # characters of query string: beyond, a forged or broken link
MAX_ORDERS = 500  # orders ticked at once
_DAY = (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"))
# Filters that narrow the uses only: handouts, shipments, expiries and stops have no place.
PLACE_FILTERS = ("commune", "epci", "departement", "category", "typology")

Choices = tuple[tuple[str, str], ...]


def order_label(order) -> str:
    return f"Commande n° {order.pk}" + (f" — {order.label}" if order.label else "")


@dataclass(frozen=True)
class FilterOptions:
    """What the viewer may choose, as (value, label) pairs: values are the strings of the URL."""

    orders: Choices = ()
    communes: Choices = ()
    epcis: Choices = ()
    departements: Choices = ()
    categories: Choices = ()
    typologies: Choices = ()
    distributors: Choices = ()
    publics: Choices = ()
    # The GET names of the filters the page offers besides the period (None: all of them).
    offered: frozenset | None = None


# The filters a page may offer besides the period, by GET name.
FILTER_NAMES = ("commande", "commune", "epci", "departement", "categorie", "typologie", "aiguilleur", "public")
PERIOD_ONLY = FilterOptions(offered=frozenset())


def _labelled(values, named: dict) -> Choices:
    pairs = [(str(v), named.get(v) or str(v)) for v in values if v not in ("", 0, None)]
    return tuple(sorted(pairs, key=lambda pair: pair[1].casefold()))


def filter_options(*, scope: dict, orders=None) -> FilterOptions:
    """The choices of a viewer whose usage facts are those of `scope` (usage lookups, e.g.
    {"funder_id": 7}): the territories where its vouchers were used, the distributors that
    received or handed them out, its orders (`orders`, a queryset, else those of its facts); the
    categories, typologies and publics are the platform's own lists, the same for everyone."""
    places = usage(group_by=("commune", "epci", "departement"), **scope)
    communes = {r["commune"] for r in places}
    epcis = {r["epci"] for r in places}
    departements = {r["departement"] for r in places}
    distributors = {r["distributor_id"] for r in usage(group_by=("distributor_id",), **scope)}
    if orders is None:
        ids = {r["order_id"] for r in usage(group_by=("order_id",), **scope)}
        orders = Order.objects.filter(pk__in=ids)
    return FilterOptions(
        orders=tuple((str(o.pk), order_label(o)) for o in orders.order_by("-pk").only("pk", "label")),
        communes=_labelled(communes, dict(Commune.objects.filter(pk__in=communes).values_list("pk", "name"))),
        epcis=_labelled(epcis, dict(Epci.objects.filter(pk__in=epcis).values_list("pk", "name"))),
        departements=_labelled(
            departements,
            {d.pk: str(d) for d in Departement.objects.filter(pk__in=departements)},
        ),
        categories=tuple((str(pk), label) for pk, label in ServiceCategory.objects.values_list("pk", "label")),
        typologies=tuple((str(pk), label) for pk, label in PlaceTypology.objects.values_list("pk", "label")),
        distributors=_labelled(
            distributors, dict(Organisation.objects.filter(pk__in=distributors).values_list("pk", "name"))
        ),
        publics=tuple(BeneficiaryCategory.choices),
    )


@dataclass(frozen=True)
class Filters:
    """A parsed, valid view: the period (start None: since the start) and one value or none per
    dimension. `options` are the choices it was checked against (the form shows them)."""

    period: str = DEFAULT_PERIOD
    start: datetime.date | None = None
    end: datetime.date = field(default_factory=timezone.localdate)
    orders: tuple[int, ...] = ()
    commune: str = ""
    epci: str = ""
    departement: str = ""
    category: int | None = None
    typology: int | None = None
    distributor: int | None = None
    public: str = ""
    options: FilterOptions = FilterOptions()

    def lookups(self, *, places: bool = True, publics: bool = True) -> dict:
        """The usage lookups of this view. `places=False` leaves out the filters on where a voucher
        was used (for handouts, shipments, expiries and stops, which have no place);
        `publics=False` the public (shipments have none)."""
        found = {"day__lte": self.end}
        if self.start:
            found["day__gte"] = self.start
        if self.orders:
            found["order_id__in"] = list(self.orders)
        if self.distributor:
            found["distributor_id"] = self.distributor
        if self.public and publics:
            found["public"] = self.public
        if places:
            for name, dimension in (
                ("commune", "commune"),
                ("epci", "epci"),
                ("departement", "departement"),
                ("category", "category_id"),
                ("typology", "typology_id"),
            ):
                if getattr(self, name):
                    found[dimension] = getattr(self, name)
        return found

    @property
    def periods(self):
        return PERIODS.items()

    @property
    def narrows_places(self) -> bool:
        return any(getattr(self, name) for name in PLACE_FILTERS)

    @property
    def period_text(self) -> str:
        """'Depuis le début, jusqu'au 07/12/2026', 'Cette année (du 01/01/2026 au 07/12/2026)',
        'Du 01/03/2026 au 31/03/2026'."""
        if self.start is None:
            return f"Depuis le début, jusqu'au {formats.date(self.end)}"
        span = f"du {formats.date(self.start)} au {formats.date(self.end)}"
        return span[0].upper() + span[1:] if self.period == "dates" else f"{PERIODS[self.period]} ({span})"

    def lines(self) -> tuple[tuple[str, str], ...]:
        """The French (label, value) lines of Report.filters: the period always, then each filter set."""
        o = self.options
        found = [("Période", self.period_text)]
        if self.orders:
            named = dict(o.orders)
            found.append(("Commandes", formats.join(named.get(str(pk), str(pk)) for pk in self.orders)))
        for label, value, choices in (
            ("Commune", self.commune, o.communes),
            ("EPCI", self.epci, o.epcis),
            ("Département", self.departement, o.departements),
            ("Catégorie de service", self.category, o.categories),
            ("Typologie de lieu", self.typology, o.typologies),
            ("Aiguilleur", self.distributor, o.distributors),
            ("Public", self.public, o.publics),
        ):
            if value:
                found.append((label, dict(choices).get(str(value), str(value))))
        return tuple(found)

    def query(self) -> str:
        """The view as a query string (for links to the same view: exports, drill-downs)."""
        params = QueryDict(mutable=True)
        params["periode"] = self.period
        if self.period == "dates":
            params["du"], params["au"] = self.start.isoformat(), self.end.isoformat()
        params.setlist("commande", [str(pk) for pk in self.orders])
        for name, value in (
            ("commune", self.commune),
            ("epci", self.epci),
            ("departement", self.departement),
            ("categorie", self.category),
            ("typologie", self.typology),
            ("aiguilleur", self.distributor),
            ("public", self.public),
        ):
            if value:
                params[name] = str(value)
        return params.urlencode()

    def selected(self) -> dict:
        """The values as the form's fields hold them (strings), for the template."""
        return {
            "periode": self.period,
            "du": self.start.isoformat() if self.period == "dates" else "",
            "au": self.end.isoformat() if self.period == "dates" else "",
            "commande": [str(pk) for pk in self.orders],
            "commune": self.commune,
            "epci": self.epci,
            "departement": self.departement,
            "categorie": str(self.category or ""),
            "typologie": str(self.typology or ""),
            "aiguilleur": str(self.distributor or ""),
            "public": self.public,
        }


def _day(text: str, label: str) -> datetime.date:
    text = text.strip()
    for pattern in _DAY:
        if match := pattern.fullmatch(text):
            parts = [int(p) for p in match.groups()]
            year, month, day = parts if pattern is _DAY[0] else parts[::-1]
            try:
                return datetime.date(year, month, day)
            except ValueError:
                break
    raise DomainError(f"{label} n'est pas une date : écrivez-la JJ/MM/AAAA, par exemple 31/12/2026.", field=label)


def _period(params, today: datetime.date) -> tuple[str, datetime.date | None, datetime.date]:
    period = params.get("periode", "").strip()
    if not period and (params.get("du") or params.get("au")):
        period = "dates"
    period = period or DEFAULT_PERIOD
    if period not in PERIODS:
        raise DomainError("Cette période n'existe pas : choisissez-en une dans la liste.", field="periode")
    if period == "tout":
        return period, None, today
    if period == "annee":
        return period, today.replace(month=1, day=1), today
    if period == "mois":
        return period, today.replace(day=1), today
    du, au = params.get("du", ""), params.get("au", "")
    if not du.strip() or not au.strip():
        raise DomainError("Indiquez la date de début et la date de fin de la période choisie.", field="du")
    start, end = _day(du, "La date de début"), _day(au, "La date de fin")
    latest = today.replace(month=12, day=31)
    if start < EARLIEST or end > latest:
        raise DomainError(
            f"La période doit être comprise entre le {formats.date(EARLIEST)} et le {formats.date(latest)}.",
            field="du",
        )
    if start > end:
        raise DomainError("La date de début doit précéder la date de fin.", field="du")
    if start > today:
        raise DomainError("La période commence après aujourd'hui : il n'y a encore rien à montrer.", field="du")
    # Nothing happened after today yet: the period stops there (no future weeks of zeros).
    return period, start, min(end, today)


def _one(params, name: str, choices: Choices, message: str) -> str:
    values = [v.strip() for v in params.getlist(name) if v.strip()]
    if not values:
        return ""
    if len(values) > 1 or values[0] not in dict(choices):
        raise DomainError(message, field=name)
    return values[0]


# The funder's own page and the staff's drill-down into it say the same.
OUTSIDE = "n'est pas dans le territoire de ce tableau de bord."


def parse_filters(params: QueryDict, *, options: FilterOptions, today: datetime.date | None = None) -> Filters:
    """The view the query string asks for, checked against `options`; DomainError in French
    for anything else (unknown or foreign ids, reversed or absurd periods, an oversized query)."""
    today = today or timezone.localdate()
    if len(params.urlencode()) > MAX_QUERY:
        raise DomainError("L'adresse de cette page est trop longue : revenez à la page et choisissez vos filtres.")
    if options.offered is not None:
        for name in FILTER_NAMES:
            if name not in options.offered and any(v.strip() for v in params.getlist(name)):
                raise DomainError("Ce filtre n'est pas proposé sur cette page.", field=name)
    period, start, end = _period(params, today)
    orders = [v.strip() for v in params.getlist("commande") if v.strip()]
    known = dict(options.orders)
    if len(orders) > MAX_ORDERS or any(v not in known for v in orders):
        raise DomainError("Une des commandes demandées n'est pas l'une des vôtres.", field="commande")
    category = _one(params, "categorie", options.categories, "Cette catégorie de service n'existe pas.")
    typology = _one(params, "typologie", options.typologies, "Cette typologie de lieu n'existe pas.")
    distributor = _one(
        params, "aiguilleur", options.distributors, "Cet aiguilleur n'a reçu ni remis aucun de ces chèques."
    )
    return Filters(
        period=period,
        start=start,
        end=end,
        orders=tuple(sorted({parse_id(v) for v in orders})),
        commune=_one(
            params, "commune", options.communes, "Cette commune n'est pas dans le territoire de ce tableau de bord."
        ),
        epci=_one(params, "epci", options.epcis, "Cet EPCI n'est pas dans le territoire de ce tableau de bord."),
        departement=_one(
            params,
            "departement",
            options.departements,
            "Ce département n'est pas dans le territoire de ce tableau de bord.",
        ),
        category=parse_id(category) if category else None,
        typology=parse_id(typology) if typology else None,
        distributor=parse_id(distributor) if distributor else None,
        public=_one(params, "public", options.publics, "Ce public n'existe pas : choisissez-en un dans la liste."),
        options=options,
    )
