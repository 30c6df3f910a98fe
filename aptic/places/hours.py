"""Opening hours in the OpenStreetMap syntax, read out in French for the place page.

The expression is evaluated by opening-hours-py with French public holidays ("PH off" works), in
Europe/Paris, or in the local time zone for the overseas départements: a place in Réunion opens at
9 h Réunion time.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

import opening_hours
from django.utils import timezone

PARIS = "Europe/Paris"
OVERSEAS_TIMEZONES = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "976": "Indian/Mayotte",
}
DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
STATE_LABELS = {
    "open": "Ouvert maintenant",
    "closed": "Fermé actuellement",
    "unknown": "Ouverture à confirmer",
}


@dataclass(frozen=True)
class Day:
    date: datetime.date
    label: str  # "Lundi 30 novembre"
    spans: tuple[str, ...]  # ("9 h – 12 h", "14 h – 18 h 30"); empty when closed all day
    is_today: bool


@dataclass(frozen=True)
class Schedule:
    state: str  # open, closed or unknown
    state_label: str
    next_change: str  # "ferme à 18 h", "ouvre lundi à 9 h", or ""
    days: tuple[Day, ...]  # the next seven days, today first
    timezone: str


def place_timezone(departement_code: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(OVERSEAS_TIMEZONES.get(departement_code or "", PARIS))


def _time(moment: datetime.datetime, day_start: datetime.datetime) -> str:
    if moment >= day_start + datetime.timedelta(days=1):
        return "minuit"
    return f"{moment.hour} h" if moment.minute == 0 else f"{moment.hour} h {moment.minute:02d}"


def _date(day: datetime.date) -> str:
    return f"{'1er' if day.day == 1 else day.day} {MONTHS[day.month - 1]}"


def _day_label(day: datetime.date) -> str:
    return f"{DAYS[day.weekday()].capitalize()} {_date(day)}"


def _state_name(state) -> str:
    return {opening_hours.State.OPEN: "open", opening_hours.State.CLOSED: "closed"}.get(state, "unknown")


def _when(moment: datetime.datetime, now: datetime.datetime) -> str:
    """'à 14 h' today, 'demain à 9 h', 'lundi à 9 h' within a week, else 'le 5 janvier à 9 h'."""
    start = datetime.datetime.combine(moment.date(), datetime.time(), tzinfo=moment.tzinfo)
    at = f"à {_time(moment, start)}"
    days = (moment.date() - now.date()).days
    if days == 0:
        return at
    if days == 1:
        return f"demain {at}"
    if days < 7:
        return f"{DAYS[moment.weekday()]} {at}"
    return f"le {_date(moment.date())} {at}"


def schedule(raw: str, *, departement: str = "", now: datetime.datetime | None = None) -> Schedule | None:
    """The state now and the next seven days, or None when there are no (readable) hours."""
    if not raw:
        return None
    tz = place_timezone(departement)
    try:
        hours = opening_hours.OpeningHours(raw, timezone=tz, country="FR")
    except (opening_hours.ParserError, ValueError):
        return None  # stored before validation existed: the raw text is still shown
    now = (now or timezone.now()).astimezone(tz)
    state, _comment = hours.state(now)
    state = _state_name(state)
    next_change = ""
    change = hours.next_change(now)
    if change is not None and state != "unknown" and change - now < datetime.timedelta(days=366):
        next_change = f"{'ferme' if state == 'open' else 'ouvre'} {_when(change.astimezone(tz), now)}"
    days = []
    for offset in range(7):
        day = now.date() + datetime.timedelta(days=offset)
        start = datetime.datetime.combine(day, datetime.time(), tzinfo=tz)
        end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
        spans = []
        for begin, finish, span_state, comment in hours.intervals(start, end):
            name = _state_name(span_state)
            if name == "closed":
                continue
            begin, finish = max(begin.astimezone(tz), start), min(finish.astimezone(tz), end)
            if begin == start and finish == end:
                text = "toute la journée"
            else:
                text = f"{_time(begin, start)} – {_time(finish, start)}"
            notes = [note for note in (comment, "à confirmer" if name == "unknown" else "") if note]
            if notes:
                text += f" ({', '.join(notes)})"
            spans.append(text)
        days.append(Day(date=day, label=_day_label(day), spans=tuple(spans), is_today=offset == 0))
    return Schedule(
        state=state,
        state_label=STATE_LABELS[state],
        next_change=next_change,
        days=tuple(days),
        timezone=str(tz),
    )
