"""The per-day opening-hours editor of the place form: French fields in, an OSM string out (ADR 0025).

Each day is closed or has up to two time ranges; "Fermé les jours fériés" adds "PH off". Hours the
table cannot hold (months, weeks, comments…) stay in the advanced text field, whose input keeps the
name `opening_hours`: a post that only sends the raw string (older clients, imports, tests) still works.
"""

import datetime
import re

from django import forms

from .hours import DAYS, MAX_RANGES_PER_DAY, WEEKDAY_CODES, Week, clock_label, osm_to_week, week_to_osm

DAY_LABELS = [day.capitalize() for day in DAYS]
RANGE_NAMES = ("1re plage", "2e plage")
SLOTS_PER_DAY = MAX_RANGES_PER_DAY * 2  # start and end of each range
HOLIDAYS = 7 * SLOTS_PER_DAY  # index of the "closed on public holidays" box
ADVANCED = HOLIDAYS + 1  # index of the raw OSM text
# What a time input sends (09:00, 09:00:00), and what people type where the browser has no time input (9h30, 9 h).
CLOCK = re.compile(r"^(\d{1,2})(?:\s*[:hH]\s*(\d{2})?(?::00)?)?$")


def parse_clock(text: str) -> datetime.time | None:
    match = CLOCK.match((text or "").strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return datetime.time(hour, minute)


class OpeningHoursWidget(forms.MultiWidget):
    """A fieldset per day with two ranges of native time inputs, a holidays box and the raw text."""

    template_name = "places/widgets/opening_hours.html"
    use_fieldset = True

    def __init__(self, attrs=None):
        widgets = {}
        for code in WEEKDAY_CODES:
            for number in range(1, MAX_RANGES_PER_DAY + 1):
                for end in ("start", "end"):
                    widgets[f"{code.lower()}_{number}_{end}"] = forms.TextInput(
                        attrs={"type": "time", "step": "60", "class": "hours-time"}
                    )
        widgets["ph_off"] = forms.CheckboxInput()
        # The empty suffix: this input is named `opening_hours`, as the single text field was.
        widgets[""] = forms.TextInput(attrs={"maxlength": "500", "spellcheck": "false", "autocomplete": "off"})
        super().__init__(widgets, attrs)

    def decompress(self, value):
        """The stored OSM string → the table's values, or the raw text when the table cannot hold it."""
        week = osm_to_week(value or "")
        if week is None:
            return [""] * HOLIDAYS + [False, value]
        slots = []
        for ranges in week.days:
            for number in range(MAX_RANGES_PER_DAY):
                if number < len(ranges):
                    slots += [ranges[number][0].strftime("%H:%M"), ranges[number][1].strftime("%H:%M")]
                else:
                    slots += ["", ""]
        return slots + [week.closed_on_holidays, ""]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        subwidgets = context["widget"]["subwidgets"]
        for sub in subwidgets[1:]:
            sub["attrs"].pop("autofocus", None)  # the first error focuses the first input only
        days = []
        for index, label in enumerate(DAY_LABELS):
            slots = subwidgets[index * SLOTS_PER_DAY : (index + 1) * SLOTS_PER_DAY]
            ranges = [
                {"name": RANGE_NAMES[number], "start": slots[number * 2], "end": slots[number * 2 + 1]}
                for number in range(MAX_RANGES_PER_DAY)
            ]
            days.append({"label": label, "name": DAYS[index], "ranges": ranges})
        advanced = subwidgets[ADVANCED]
        context["widget"].update(
            {
                "days": days,
                "holidays": subwidgets[HOLIDAYS],
                "advanced": advanced,
                "table_is_empty": not any(sub["value"] for sub in subwidgets[:HOLIDAYS]),
            }
        )
        return context


class OpeningHoursField(forms.MultiValueField):
    """Cleans to the OSM string (empty when the place gives no hours); errors in French, per day."""

    widget = OpeningHoursWidget

    def __init__(self, **kwargs):
        fields = [forms.CharField(required=False, max_length=20) for _ in range(HOLIDAYS)]
        fields += [forms.BooleanField(required=False), forms.CharField(required=False)]
        kwargs.setdefault("required", False)
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields, **kwargs)

    def compress(self, data_list):
        if not data_list:
            return ""
        errors = []
        days = []
        for index, day in enumerate(DAY_LABELS):
            ranges = []
            for number, range_name in enumerate(RANGE_NAMES):
                first = index * SLOTS_PER_DAY + number * 2
                raw_start, raw_end = (data_list[first] or "").strip(), (data_list[first + 1] or "").strip()
                if not raw_start and not raw_end:
                    continue
                if not raw_start or not raw_end:
                    missing = "d'ouverture" if not raw_start else "de fermeture"
                    errors.append(f"{day}, {range_name} : indiquez aussi l'heure {missing}.")
                    continue
                start, end = parse_clock(raw_start), parse_clock(raw_end)
                unreadable = [text for text, clock in ((raw_start, start), (raw_end, end)) if clock is None]
                if unreadable:
                    errors.append(
                        f"{day}, {range_name} : « {unreadable[0][:10]} » n'est pas une heure (par exemple 09:00)."
                    )
                    continue
                if end <= start:
                    errors.append(
                        f"{day}, {range_name} : l'heure de fermeture ({clock_label(end)}) doit être après "
                        f"l'heure d'ouverture ({clock_label(start)})."
                    )
                    continue
                ranges.append((start, end))
            ranges.sort()
            if len(ranges) == 2 and ranges[1][0] < ranges[0][1]:
                spans = " et ".join(f"{clock_label(start)} – {clock_label(end)}" for start, end in ranges)
                errors.append(f"{day} : les deux plages se chevauchent ({spans}).")
            days.append(tuple(ranges))
        week = Week(days=tuple(days), closed_on_holidays=bool(data_list[HOLIDAYS]))
        advanced = " ".join((data_list[ADVANCED] or "").split())
        if advanced and not week.is_empty:
            errors.append(
                "Indiquez les horaires soit jour par jour, soit dans la saisie avancée, pas les deux : "
                "videz l'un des deux."
            )
        if errors:
            raise forms.ValidationError(errors)
        if advanced:
            return advanced  # its syntax is checked by the service, as for imports
        return week_to_osm(week)
