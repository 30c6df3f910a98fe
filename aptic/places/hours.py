"""Opening hours in the OpenStreetMap syntax, read out in French for the place page.

The expression is evaluated by opening-hours-py with French public holidays ("PH off" works), in
Europe/Paris, or in the local time zone for the overseas départements: a place in Réunion opens at
9 h Réunion time.
"""

import datetime
import re
import zoneinfo
from dataclasses import dataclass

import opening_hours
from django.utils import timezone

from aptic.core.formats import MONTHS

PARIS = "Europe/Paris"
OVERSEAS_TIMEZONES = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "976": "Indian/Mayotte",
}
DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
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


_PUBLIC_HOLIDAYS = opening_hours.OpeningHours("PH", country="FR")


def is_public_holiday(day: datetime.date) -> bool:
    """A French public holiday (opening-hours-py's calendar, the one "PH off" reads)."""
    return _PUBLIC_HOLIDAYS.is_open(datetime.datetime.combine(day, datetime.time(12)))


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


# The usual week: what the provider's hours editor writes and reads, and what pages read out.
#
# The editor covers the expressions most places need: for each day, closed or up to two time
# ranges, plus "closed on public holidays". Anything else (months, weeks, comments, overnight
# ranges, 24/7) stays in the raw OSM string, edited as text (ADR 0025).

WEEKDAY_CODES = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
MAX_RANGES_PER_DAY = 2
_TIME_RANGE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
_DAY_SELECTOR = re.compile(r"^(Mo|Tu|We|Th|Fr|Sa|Su)(?:-(Mo|Tu|We|Th|Fr|Sa|Su))?$")
_HOLIDAYS_CLOSED = {"PH off", "PH closed"}

Range = tuple[datetime.time, datetime.time]


@dataclass(frozen=True)
class Week:
    """Seven days (Monday first), each a tuple of at most two (start, end) ranges in order."""

    days: tuple[tuple[Range, ...], ...]
    closed_on_holidays: bool = False

    @property
    def is_empty(self) -> bool:
        return not any(self.days)


def _osm_time(value: datetime.time) -> str:
    return value.strftime("%H:%M")


def _day_runs(indexes: list[int]) -> str:
    """[0, 1, 2, 4] → 'Mo-We,Fr': consecutive days as ranges."""
    runs: list[list[int]] = []
    for index in indexes:
        if runs and runs[-1][-1] == index - 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    parts = []
    for run in runs:
        first, last = WEEKDAY_CODES[run[0]], WEEKDAY_CODES[run[-1]]
        parts.append(first if len(run) == 1 else f"{first}-{last}" if len(run) > 2 else f"{first},{last}")
    return ",".join(parts)


def week_to_osm(week: Week) -> str:
    """The OSM string of a week: days with the same hours share one rule ('Mo-Fr 09:00-12:00,14:00-17:30')."""
    if week.is_empty:
        return ""
    groups: dict[tuple[Range, ...], list[int]] = {}
    for index, ranges in enumerate(week.days):
        if ranges:
            groups.setdefault(ranges, []).append(index)
    rules = [
        f"{_day_runs(indexes)} {','.join(f'{_osm_time(start)}-{_osm_time(end)}' for start, end in ranges)}"
        for ranges, indexes in groups.items()  # dicts keep insertion order: the rule of Monday first
    ]
    if week.closed_on_holidays:
        rules.append("PH off")
    return "; ".join(rules)


def _selector_days(selector: str) -> list[int] | None:
    days = []
    for part in selector.split(","):
        match = _DAY_SELECTOR.match(part)
        if not match:
            return None
        first = WEEKDAY_CODES.index(match.group(1))
        last = WEEKDAY_CODES.index(match.group(2)) if match.group(2) else first
        days.extend((first + step) % 7 for step in range((last - first) % 7 + 1))
    return days


def osm_to_week(raw: str) -> Week | None:
    """The week an OSM string describes, or None when it says more than a usual week can hold.

    opening-hours-py normalises the expression first (later rules override earlier ones, 'We off'
    removes Wednesday, 'Sa-Mo' wraps), so only plain, non-overlapping rules are left to read here.
    """
    if not (raw or "").strip():
        return Week(days=((),) * 7)
    try:
        normalized = str(opening_hours.OpeningHours(raw).normalize())
    except (opening_hours.ParserError, ValueError):
        return None
    rules = [rule.strip() for rule in normalized.split(";") if rule.strip()]
    closed_on_holidays = False
    days: list[tuple[Range, ...] | None] = [None] * 7
    for rule in rules:
        if rule in _HOLIDAYS_CLOSED:
            closed_on_holidays = True
            continue
        if rule in ("closed", "off"):
            continue
        if rule[:1].isdigit():
            selector, times = "Mo-Su", rule  # no day selector: every day
        else:
            selector, _space, times = rule.partition(" ")
        indexes = _selector_days(selector)
        if indexes is None or not times:
            return None
        ranges = []
        for span in times.split(","):
            match = _TIME_RANGE.match(span.strip())
            if not match:
                return None  # 24:00, overnight, open end, sunrise, a comment…
            h1, m1, h2, m2 = (int(part) for part in match.groups())
            start, end = datetime.time(h1, m1), datetime.time(h2, m2)
            if end <= start:
                return None
            ranges.append((start, end))
        if len(ranges) > MAX_RANGES_PER_DAY:
            return None
        ranges.sort()
        for index in indexes:
            if days[index] is not None:
                return None  # not normalised into plain rules: keep it as text
            days[index] = tuple(ranges)
    return Week(days=tuple(day or () for day in days), closed_on_holidays=closed_on_holidays)


def clock_label(value: datetime.time) -> str:
    """09:00 → '9 h', 17:30 → '17 h 30'."""
    return f"{value.hour} h" if value.minute == 0 else f"{value.hour} h {value.minute:02d}"


def _day_list(indexes: list[int], *, article: str = "") -> str:
    names = [f"{article}{DAYS[index]}" for index in indexes]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} et {names[-1]}"


def week_lines(week: Week) -> list[str]:
    """The usual week in French, one line per group of consecutive days with the same hours.

    'Du lundi au vendredi : 9 h – 12 h, 14 h – 17 h 30', 'Samedi : 9 h – 12 h', 'Fermé le dimanche',
    'Fermé les jours fériés'.
    """
    if week.is_empty:
        return []
    lines = []
    index = 0
    while index < 7:
        ranges = week.days[index]
        last = index
        while last + 1 < 7 and week.days[last + 1] == ranges:
            last += 1
        if ranges:
            if last == index:
                days = DAYS[index].capitalize()
            elif last == index + 1:
                days = f"{DAYS[index].capitalize()} et {DAYS[last]}"
            else:
                days = f"Du {DAYS[index]} au {DAYS[last]}"
            lines.append(f"{days} : {', '.join(f'{clock_label(start)} – {clock_label(end)}' for start, end in ranges)}")
        index = last + 1
    closed = [index for index, ranges in enumerate(week.days) if not ranges]
    if closed:
        lines.append(f"Fermé {_day_list(closed, article='le ')}")
    if week.closed_on_holidays:
        lines.append("Fermé les jours fériés")
    return lines


@dataclass(frozen=True)
class HoursText:
    lines: tuple[str, ...]
    is_usual_week: bool  # False: the next seven days, with their dates


def hours_text(raw: str, *, departement: str = "", now: datetime.datetime | None = None) -> HoursText:
    """Opening hours read out in French, for every page that shows them: never the raw OSM string.

    A usual week is read out by week_lines(); an expression with dates, holidays or comments is
    evaluated by opening-hours-py over the next seven days ('Lundi 7 décembre : 9 h – 12 h').
    No lines when there are no hours, or when they cannot be read (stored before validation existed).
    """
    week = osm_to_week(raw)
    if week is not None:
        return HoursText(lines=tuple(week_lines(week)), is_usual_week=True)
    upcoming = schedule(raw, departement=departement, now=now)
    if upcoming is None:
        return HoursText(lines=(), is_usual_week=False)
    lines = tuple(f"{day.label} : {', '.join(day.spans) if day.spans else 'fermé'}" for day in upcoming.days)
    return HoursText(lines=lines, is_usual_week=False)
