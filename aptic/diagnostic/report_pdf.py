"""The diagnostic of a territory as an A4 PDF report (issue #16 item 3, ADR 0056): what the page
shows, from the same `Diagnostic` and training needs, laid out with the steering report's parts
(aptic/reporting/exports/layout.py): a cover (territory, level, date of computation; the funder's
name, and its logo when its exports are white-label), the key figures beside the parent territory
and France, a reading of them ("Lecture et pistes", sentences derived from the figures), the missing
services, the places by category, the inhabitants far from them, the uses, the map of communes
coloured by distance for one category (vectors), the least covered communes, the training needs,
and the method and sources.

White-label (`brand` given): the brand stands where #APTIC would, the platform's places are called
"lieux labellisés", and no text of the file holds the word APTIC (exports/brand.unmarked_text)."""

import datetime
import statistics
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import Circle, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer

from aptic.core import formats
from aptic.core.disclosure import MIN_PUBLISHED_VOUCHERS
from aptic.core.pdf import FONT, number
from aptic.core.pdf import count as count_words
from aptic.reporting.exports.brand import unmarked_text
from aptic.reporting.exports.layout import (
    PLATFORM_MARK,
    WIDTH,
    MapFrame,
    a4_pdf,
    fitted_table,
    logo_image,
    paragraph,
    table,
    text_styles,
    vector_drawing,
)

from . import wording
from .compute import COVERED_KM, MAP_LIMIT, THRESHOLDS_KM
from .models import Level
from .needs import PriorityPublics, TrainingNeeds
from .selectors import BANDS, Diagnostic, Figures, Line

NBSP = formats.NBSP
# The map's bands, as diagnostic.css colours them (viridis: lightness falls as the distance grows,
# so the bands stay apart in grayscale), each symbol outlined in black.
BAND_COLOURS = {
    "band-near": colors.HexColor("#fde725"),
    "band-mid": colors.HexColor("#5ec962"),
    "band-far": colors.HexColor("#21918c"),
    "band-none": colors.HexColor("#440154"),
}
FARTHEST_ROWS = 15  # the map's table: its farthest communes (the page lists them all)
# The page's link states the file's size as this bound; the tests hold the largest report (France,
# its MAP_LIMIT communes on the map) under it.
MAX_KILOBYTES = 300
OVERSEAS_PREFIX = "97"  # the INSEE codes of the overseas départements' communes
MAP_HEAD = ("Commune", "Habitants", "Distance", "Lieu le plus proche", "Classe")
LEAST_HEAD = ("Rang", "Commune", "Habitants", f"Catégories à plus de {COVERED_KM} km", "Lieu le plus éloigné")
LEVEL_LINES = {
    Level.FRANCE: "France entière",
    Level.REGION: "Région · code {code}",
    Level.DEPARTEMENT: "Département · code {code}",
    Level.EPCI: "Intercommunalité · SIREN {code}",
    Level.COMMUNE: "Commune · code INSEE {code}",
}


def km(value) -> str:
    return wording.km(value, space=NBSP)


def rate(value) -> str:
    return wording.rate(value, space=NBSP)


def published_rate(uses) -> str:
    return wording.published_rate(uses, space=NBSP)


def share(value) -> str:
    return wording.share(value, space=NBSP)


def heading(d: Diagnostic) -> str:
    """The territory's name as the page's title writes it: "Gironde (33)"."""
    place = d.territory
    return f"{place.name} ({place.code})" if place.level == Level.DEPARTEMENT else place.name


class _Writer:
    """The report's words: #APTIC's, or a white-label brand's."""

    def __init__(self, brand: str | None):
        self.brand = brand
        self.mark = brand or PLATFORM_MARK
        self.aptic = "lieux labellisés" if brand else "lieux #APTIC"
        self.styles = text_styles()
        self.titles = []  # the sections written, for the cover's summary

    def text(self, value) -> str:
        """Vera has no narrow no-break space (the pages' thousands): the ordinary one instead."""
        value = str(value).replace(formats.NNBSP, NBSP)
        return unmarked_text(value) if self.brand else value

    def p(self, value, style="body") -> Paragraph:
        return paragraph(self.text(value), self.styles[style])

    def lines(self, values, style="cell") -> Paragraph:
        """One cell of several lines."""
        return Paragraph("<br/>".join(escape(self.text(v)) for v in values), self.styles[style])

    def table(self, head, rows, *, widths=None):
        head = [self.text(cell) for cell in head]
        rows = [[cell if isinstance(cell, Paragraph) else self.text(cell) for cell in row] for row in rows]
        if widths is None:
            return fitted_table(head, rows, self.styles)
        return table(rows, self.styles, widths=widths, head=head)

    def section(self, title, *intro) -> list:
        """A title kept with the paragraph after it."""
        self.titles.append(title)
        return [KeepTogether([self.p(title, "h2"), *(self.p(text) for text in intro)])]


# --- Figures derived for the key figures and the reading -------------------------------------


def _population(figures: Figures | None) -> str:
    if figures is None:
        return "—"
    return count_words(figures.population, "habitant") if figures.population else "inconnue ou nulle"


def _offered(lines: list[Line], side: str) -> str:
    figures = [getattr(line, side) for line in lines]
    if not lines or any(f is None for f in figures):
        return "—"
    return f"{sum(f.places > 0 for f in figures)} sur {len(lines)}"


def _mean_coverage(lines: list[Line], side: str) -> str:
    shares = [getattr(line, side).coverage for line in lines if getattr(line, side) is not None]
    shares = [s for s in shares if s is not None]
    return share(statistics.fmean(shares)) if shares and len(shares) == len(lines) else "—"


def _sides(d: Diagnostic) -> list[tuple[str, str]]:
    """(attribute of a Line, column title): the territory, its parent, France."""
    sides = [("own", heading(d))]
    if d.territory.level != Level.FRANCE:
        if d.parent is not None:
            sides.append(("parent", d.parent.name))
        sides.append(("france", "France"))
    return sides


PISTE_FIRST_PLACE = " Piste : susciter l'ouverture d'un premier lieu, ou des permanences de lieux voisins."


def readings(d: Diagnostic, needs: TrainingNeeds | None, *, aptic: str = "lieux #APTIC") -> list[str]:
    """The reading of the figures and what they point to, one sentence each, every one of them
    drawn from this territory's figures (none is said when its figures say nothing)."""
    lines, said = d.lines, []
    name = d.territory.name
    if not d.population:
        said.append(
            f"La population de {name} est inconnue ou nulle : aucun taux par habitant n'est calculé, "
            "seules les distances et les lieux se lisent."
        )
    if lines and all(line.own.places == 0 for line in lines):
        said.append(
            "Aucun lieu connu n'est situé sur le territoire : ses habitants dépendent des lieux voisins."
            + (
                " Piste : susciter l'ouverture d'un premier lieu, ou des permanences de lieux voisins."
                if d.population
                else ""
            )
        )
    else:
        absent = [line.category.label for line in lines if line.own.places == 0]
        if absent:
            said.append(
                f"Aucun lieu du territoire ne propose {formats.join(f'« {label} »' for label in absent)} "
                f"({len(absent)} sur {len(lines)} catégories) : piste prioritaire, faire naître ou conventionner "
                "une offre de ce type."
            )
    below = [line for line in lines if line.missing and line.own.places > 0]
    if below:
        parts = [
            f"« {line.category.label} » ({share(line.own.coverage)} contre {share(line.median)})" for line in below
        ]
        said.append(
            f"Couverture à {COVERED_KM} km sous la médiane nationale des {d.median_level} : {formats.join(parts)}. "
            "Piste : renforcer l'offre au plus près des communes éloignées."
        )
    far = [line for line in lines if line.own.population and line.own.beyond.get(COVERED_KM)]
    if far:
        worst = max(far, key=lambda line: (line.own.shares[COVERED_KM], line.own.beyond[COVERED_KM]))
        people = count_words(worst.own.beyond[COVERED_KM], "habitant")
        said.append(
            f"La catégorie la plus éloignée des habitants est « {worst.category.label} » : {people} "
            f"({share(worst.own.shares[COVERED_KM])}) vivent à plus de {COVERED_KM} km, en ligne droite, du lieu le "
            f"plus proche qui la propose"
            + (f" (France : {share(worst.france.shares[COVERED_KM])})." if d.territory.level != Level.FRANCE else ".")
        )
    elif d.population and lines:
        said.append(f"Tous les habitants vivent à {COVERED_KM} km ou moins d'un lieu proposant chacune des catégories.")
    ranked = [s for s in d.least_covered if s.far_categories][:3]
    if ranked:
        names = formats.join(
            f"{s.commune.name} ({s.far_categories} {formats.plural(s.far_categories, 'catégorie')} à plus de "
            f"{COVERED_KM} km)"
            for s in ranked
        )
        said.append(
            f"Les communes les moins couvertes sont {names} : des permanences itinérantes ou un "
            "accompagnement à distance y seraient les plus utiles."
        )
    only_reference = [line.category.label for line in lines if line.own.reference_places and not line.own.aptic_places]
    if only_reference:
        said.append(
            f"{formats.plural(len(only_reference), 'Catégorie proposée', 'Catégories proposées')} sur le territoire "
            f"par des lieux de référence mais par aucun des {aptic} : "
            f"{formats.join(f'« {label} »' for label in only_reference)}. Piste : inviter ces lieux à rejoindre le "
            "dispositif, pour que les chèques y soient acceptés."
        )
    unused = [
        line.category.label for line in lines if line.own.aptic_places and not line.uses[0].count
    ]  # places of the platform, and no use published (none, or all under statistical secrecy)
    if unused and d.population and d.last_month:
        said.append(
            f"Des {aptic} proposent {formats.join(f'« {label} »' for label in unused)}, mais aucune utilisation "
            f"de chèques n'y est publiée en douze mois (aucune, ou moins de {MIN_PUBLISHED_VOUCHERS} par mois, "
            "commune, catégorie et typologie de lieu, sous le secret statistique) : piste, faire connaître cette "
            "offre aux publics et aux structures qui remettent les chèques."
        )
    used_more = [
        line.category.label
        for line in lines
        if line.uses[0].rate is not None and line.uses[2].rate is not None and line.uses[0].rate > line.uses[2].rate
    ]
    if used_more and d.territory.level != Level.FRANCE:
        said.append(f"Les chèques y sont plus utilisés qu'en France pour {formats.join(used_more)}.")
    funder_total = sum(line.funder_uses or 0 for line in lines)
    if any(line.funder_uses is not None for line in lines):
        if funder_total:
            top = max(lines, key=lambda line: line.funder_uses or 0)
            said.append(
                f"Vos chèques : {count_words(funder_total, 'chèque utilisé', 'chèques utilisés')} dans les lieux du "
                f"territoire en douze mois, le plus en « {top.category.label} »."
            )
        else:
            said.append("Vos chèques : aucun n'a été utilisé dans les lieux du territoire en douze mois.")
    if needs is not None and needs.is_published:
        weakest = [t for t in needs.themes if t.below_share][:2]
        if weakest:
            parts = formats.join(f"{t.name} ({share(t.below_share)} des structures sous le seuil)" for t in weakest)
            said.append(
                f"Formation des acteurs : les thèmes les plus faibles sont {parts} ; "
                "à cibler dans le plan de formation."
            )
    return said


# --- Sections ----------------------------------------------------------------------------------


def _cover(d: Diagnostic, w: _Writer, *, funder_name, logo, edited_at, titles) -> list:
    story, known = [], count_words(d.run.places, "lieu connu", "lieux connus")
    if image := logo_image(logo if w.brand else None):
        story += [image, Spacer(1, 4 * mm)]
    place = d.territory
    story += [
        w.p(w.mark, "mark"),
        Spacer(1, 25 * mm),
        w.p("Diagnostic territorial", "h2"),
        w.p(heading(d), "h1"),
        w.p(LEVEL_LINES[place.level].format(code=place.code)),
    ]
    if d.parent is not None:
        story.append(w.p(f"Territoire parent : {d.parent.label}"))
    if funder_name:
        story += [
            Spacer(1, 4 * mm),
            w.p(f"Rapport préparé pour {formats.the(funder_name)}", "h2"),
            w.p("Ses propres chèques utilisés sont ajoutés aux chiffres publics (« Vos chèques »)."),
        ]
    story += [
        Spacer(1, 6 * mm),
        w.p(f"Calculé le {formats.date(d.run.computed_at)} sur {known}"),
        w.p(f"Édité le {formats.date_time(edited_at)}", "small"),
        Spacer(1, 10 * mm),
        w.p("Sommaire", "h2"),
    ]
    story += [w.p(f"{n}. {title}") for n, title in enumerate(titles, start=1)]
    story.append(PageBreak())
    return story


def _key_figures(d: Diagnostic, w: _Writer) -> list:
    sides = _sides(d)
    first = d.lines[0] if d.lines else None
    rows = [
        ["Population"] + [_population(getattr(first, side) if first else None) for side, _ in sides],
        ["Catégories proposées par au moins un lieu"] + [_offered(d.lines, side) for side, _ in sides],
        [f"Couverture à {COVERED_KM} km, moyenne des {len(d.lines)} catégories"]
        + [_mean_coverage(d.lines, side) for side, _ in sides],
        ["Services manquants", formats.join(line.category.label for line in d.missing) or "aucun"]
        + ["—"] * (len(sides) - 1),
    ]
    return w.section(
        "Chiffres clés",
        f"Chiffres {d.territory.of_label}"
        + (", à côté de son territoire parent et de la France." if len(sides) > 1 else "."),
    ) + [w.table(["Indicateur"] + [title for _, title in sides], rows)]


def _reading(d: Diagnostic, w: _Writer, needs) -> list:
    said = readings(d, needs, aptic=w.aptic) or [
        "Les chiffres de ce territoire n'appellent pas de remarque particulière."
    ]
    return w.section(
        "Lecture et pistes", "Ce que disent les chiffres de ce rapport, et les pistes qu'ils indiquent :"
    ) + [w.p(f"• {sentence}") for sentence in said]


def _missing(d: Diagnostic, w: _Writer) -> list:
    story = w.section(
        "Services manquants",
        "Un service manque quand aucun lieu du territoire ne le propose, ou quand sa couverture — la part des "
        f"habitants dont le centre de la commune est à {COVERED_KM} km ou moins d'un lieu qui le propose — est sous "
        f"la médiane nationale des {d.median_level or 'territoires'}.",
    )
    if not d.missing:
        return story + [w.p("Aucun service manquant.")]
    for line in d.missing:
        detail = ""
        if line.own.coverage is not None:
            detail = f" (couverture {share(line.own.coverage)}"
            detail += f", médiane {share(line.median)})" if line.median is not None else ")"
        story.append(w.p(f"• {line.category.label} : {line.missing}{detail}."))
    return story


def _places(d: Diagnostic, w: _Writer) -> list:
    parent = d.parent.name if d.parent else None
    head = ["Catégorie", w.aptic[0].upper() + w.aptic[1:], "Lieux de référence", f"Pour 10{NBSP}000 hab."]
    head += [parent] if parent else []
    france = d.territory.level != Level.FRANCE
    head += ["France"] if france else []
    head += [f"Couverture ({COVERED_KM} km)", "Médiane nationale"]
    rows = []
    for line in d.lines:
        row = [line.category.label, number(line.own.aptic_places), number(line.own.reference_places)]
        row.append(rate(line.own.per_10000))
        if parent:
            row.append(rate(line.parent.per_10000 if line.parent else None))
        row += [rate(line.france.per_10000)] if france else []
        row += [share(line.own.coverage), share(line.median)]
        rows.append(row)
    return w.section(
        "Lieux par catégorie de service",
        f"Lieux qui proposent chaque catégorie sur le territoire, et pour 10{NBSP}000 habitants"
        + (f" ({parent} et France à côté)." if parent else "."),
    ) + [w.table(head, rows)]


def _distances(d: Diagnostic, w: _Writer) -> list:
    commune = d.territory.level == Level.COMMUNE
    head = ["Catégorie"] + (["Lieu le plus proche"] if commune else [])
    head += [f"Plus de {threshold} km" for threshold in THRESHOLDS_KM]
    rows = []
    for line in d.lines:
        row = [line.category.label] + ([km(line.own.nearest_km)] if commune else [])
        for threshold in THRESHOLDS_KM:
            cell = [f"{number(line.own.beyond[threshold])} ({share(line.own.shares[threshold])})"]
            if line.parent is not None and d.parent is not None:
                cell.append(f"{d.parent.name} : {share(line.parent.shares[threshold])}")
            if d.territory.level != Level.FRANCE:
                cell.append(f"France : {share(line.france.shares[threshold])}")
            row.append(w.lines(cell))
        rows.append(row)
    first = 55 * mm
    others = (WIDTH - first) / (len(head) - 1)
    return w.section(
        "Habitants éloignés des lieux",
        "Habitants d'une commune dont le centre est à plus de 5, 10 et 20 km, en ligne droite (à vol d'oiseau), du "
        "lieu le plus proche qui propose la catégorie, où qu'il soit"
        + (f" ; en dessous, la part dans {d.parent.label} et en France." if d.parent else "."),
    ) + [w.table(head, rows, widths=[first] + [others] * (len(head) - 1))]


def _uses(d: Diagnostic, w: _Writer) -> list:
    funder = any(line.funder_uses is not None for line in d.lines)
    head = ["Catégorie", heading(d)] + ([d.parent.name] if d.parent else [])
    head += ["France"] if d.territory.level != Level.FRANCE else []
    head += ["Vos chèques utilisés", f"Vos chèques pour 1{NBSP}000 hab."] if funder else []
    rows = []
    for line in d.lines:
        own, up, france = line.uses
        row = [line.category.label, published_rate(own)]
        row += [published_rate(up) if up else rate(None)] if d.parent else []
        row += [published_rate(france)] if d.territory.level != Level.FRANCE else []
        row += [number(line.funder_uses or 0), rate(line.funder_rate)] if funder else []
        rows.append(row)
    if d.last_month is None:
        said = "Aucune utilisation n'est encore publiée en données ouvertes : les mois sont publiés une fois achevés."
    else:
        said = (
            f"Chèques utilisés dans les lieux du territoire {_months(d)}, pour 1{NBSP}000 habitants, tels que les "
            "publie le jeu de données ouvertes des utilisations par commune : ses cases additionnées. Une case de "
            f"moins de {MIN_PUBLISHED_VOUCHERS} chèques, ou masquée pour qu'une autre ne puisse être retrouvée, "
            "n'est pas publiée : elle n'est pas comptée (« au moins ») ; « — » : tout est sous le secret statistique."
        )
    return w.section(f"Utilisations des chèques pour 1{NBSP}000 habitants", said) + [w.table(head, rows)]


def _months(d: Diagnostic) -> str:
    return f"de {formats.month(d.first_month)} à {formats.month(d.last_month)}"


def _band_legend(w: _Writer):
    legend = vector_drawing(WIDTH, 16)
    x = 4
    for _, css, label in BANDS:
        legend.add(Circle(x + 4, 8, 4, fillColor=BAND_COLOURS[css], strokeColor=colors.black, strokeWidth=0.8))
        text = w.text(label[0].upper() + label[1:])
        legend.add(String(x + 12, 5.5, text, fontName=FONT, fontSize=7))
        x += 12 + stringWidth(text, FONT, 7) + 14
    return legend


def _drawn(communes: list) -> list:
    """The communes the map draws: the metropolitan ones when the overseas are among them too (one
    frame from Guadeloupe to Réunion would shrink France to a dot), else all."""
    metropolitan = [c for c in communes if not c.code.startswith(OVERSEAS_PREFIX)]
    return metropolitan or communes


def _map(d: Diagnostic, w: _Writer) -> list:
    communes = d.map_communes
    label = d.category.label if d.category else ""
    around = ""
    if d.territory.level == Level.COMMUNE and d.parent:
        around = f" {d.parent.of_label} (la commune {d.territory.name} est entourée)"
    shown = ""
    if d.map_total > len(communes):
        shown = f" Les {number(len(communes))} communes les plus éloignées sur {number(d.map_total)} sont montrées."
    intro = (
        f"Chaque disque est le centre d'une commune{around}, coloré selon la distance en ligne droite au lieu le plus "
        f"proche qui propose « {label} ».{shown}"
    )
    title = "Carte des communes : distance au lieu le plus proche"
    if not communes:
        return w.section(title, intro) + [w.p("Aucune commune à montrer.")]
    drawn = _drawn(communes)
    if len(drawn) < len(communes):
        left = len(communes) - len(drawn)
        intro += (
            f" {count_words(left, 'commune')} d'outre-mer {formats.plural(left, 'n’est', 'ne sont')} pas sur la "
            "carte, qui montre la métropole."
        )
    frame = MapFrame([(c.latitude, c.longitude) for c in drawn])
    radius = max(1.6, min(5.0, 70 / len(drawn) ** 0.5))
    order = {css: n for n, (_, css, _) in enumerate(BANDS)}
    # The nearest first, so that the far communes, the ones the report is about, are drawn on top.
    for commune in sorted(drawn, key=lambda c: (c.highlighted, order[c.band[0]])):
        x, y = frame.at(commune.latitude, commune.longitude)
        fill = BAND_COLOURS[commune.band[0]]
        if commune.highlighted:
            frame.drawing.add(Circle(x, y, radius + 4, fillColor=None, strokeColor=colors.black, strokeWidth=1.5))
        frame.drawing.add(Circle(x, y, radius, fillColor=fill, strokeColor=colors.black, strokeWidth=0.4))
    distance = frame.scale_bar()
    note = (
        f"Fond neutre, sans fond de carte ; projection équirectangulaire, échelle approximative ({distance} sur la "
        "barre). Les distances sont à vol d'oiseau depuis le centre de chaque commune."
    )
    farthest = communes[:FARTHEST_ROWS]
    rows = [
        [c.name, number(c.population), km(c.nearest_km), wording.KINDS.get(c.nearest_kind, ""), c.band[1]]
        for c in farthest
    ]
    if w.brand:
        rows = [[row[0], row[1], row[2], row[3].replace("lieu #APTIC", "lieu labellisé"), row[4]] for row in rows]
    head, widths = MAP_HEAD, [50 * mm, 22 * mm, 22 * mm, 35 * mm, WIDTH - 129 * mm]
    if any(c.funder_uses is not None for c in farthest):  # the funder's report: its uses in each commune
        rows = [row + [number(c.funder_uses or 0)] for row, c in zip(rows, farthest, strict=True)]
        head, widths = (*MAP_HEAD, "Vos chèques utilisés"), [44 * mm, 20 * mm, 20 * mm, 32 * mm, 42 * mm, 22 * mm]
    caption = f"Les {len(farthest)} communes les plus éloignées d'un lieu proposant « {label} »"
    w.titles.append(title)
    return [
        KeepTogether(
            [w.p(f"{title}, « {label} »", "h2"), w.p(intro), frame.drawing, _band_legend(w), w.p(note, "small")]
        ),
        Spacer(1, 3 * mm),
        KeepTogether([w.p(caption), w.table(head, rows, widths=widths)]),
    ]


def _least_covered(d: Diagnostic, w: _Writer) -> list:
    if not d.least_covered:
        return []
    rows = [
        [str(n), s.commune.name, number(s.commune.population or 0), f"{s.far_categories} sur {len(d.lines)}",
         km(s.farthest_km)]
        for n, s in enumerate(d.least_covered, start=1)
    ]  # fmt: skip
    return w.section(
        "Les communes les moins couvertes",
        f"Classées par nombre de catégories dont le lieu le plus proche est à plus de {COVERED_KM} km, puis par "
        "population.",
    ) + [w.table(LEAST_HEAD, rows, widths=[14 * mm, 66 * mm, 30 * mm, 35 * mm, WIDTH - 145 * mm])]


def _needs(needs: TrainingNeeds | None, w: _Writer) -> list:
    story = w.section("Besoins de formation des acteurs")
    if needs is None:
        return story + [
            w.p(
                "Ces chiffres sont donnés pour une région, un département, une intercommunalité ou une commune : "
                "voyez le rapport d'un territoire."
            )
        ]
    story += [w.p(needs.method)]
    if needs.message:
        story.append(w.p(needs.message))
    if needs.is_published and needs.themes:
        rows = [
            [t.name, t.median_label, t.below_label, t.france_median_label, t.france_below_label] for t in needs.themes
        ]
        caption = f"Scores par thème du questionnaire qualité ({needs.providers_label}, {needs.threshold_label})"
        head = ["Thème", "Score médian", "Sous le seuil", "Score médian en France", "Sous le seuil en France"]
        story += [w.p(caption), w.table(head, rows)]
    return story


def _method(d: Diagnostic, w: _Writer, edited_at: datetime.datetime) -> list:
    known = count_words(d.run.places, "lieu connu", "lieux connus")
    sources = [
        "Territoires et populations : Code officiel géographique de l'INSEE (communes, intercommunalités, "
        "départements, régions, par le découpage administratif d'Etalab) et populations légales du recensement de "
        "l'INSEE ; centre de chaque commune.",
        f"Lieux : les lieux publiés des structures labellisées ({w.aptic}) et les lieux de référence importés de la "
        "cartographie nationale des lieux de médiation numérique, dans le standard national de données des lieux "
        f"d'inclusion numérique ; comptés à part ; {known} au calcul.",
        "Utilisations : les chèques utilisés dans les lieux du territoire"
        + (f" {_months(d)}" if d.last_month else "")
        + ", tels que les publie le jeu de données ouvertes « utilisations-communes » de la plateforme (Licence "
        f"Ouverte 2.0) : ses cases additionnées, une case de moins de {MIN_PUBLISHED_VOUCHERS} chèques ou masquée "
        "(secret statistique) n'étant pas comptée.",
        "Besoins de formation : le questionnaire qualité des structures, en agrégats seulement.",
    ]
    method = (
        "Pour chaque commune et chaque catégorie de service, la distance est celle, à vol d'oiseau (en ligne "
        "droite), entre le centre de la commune et le lieu le plus proche qui propose la catégorie, où qu'il soit. "
        f"Les habitants d'une commune comptent tous à la distance de son centre. La couverture d'un territoire est la "
        f"part de ses habitants dont la commune est à {COVERED_KM} km ou moins d'un tel lieu ; la médiane nationale "
        "est celle des territoires du même niveau. Le diagnostic est recalculé chaque nuit et après chaque changement "
        f"des lieux ; une carte montre au plus les {number(MAP_LIMIT)} communes les plus éloignées."
    )
    dates = (
        f"Calculé le {formats.date(d.run.computed_at)} ({formats.date_time(d.run.computed_at)}) ; "
        f"rapport édité le {formats.date_time(edited_at)}."
    )
    return (
        w.section("Méthode et sources", "Sources :")
        + [w.p(f"• {source}") for source in sources]
        + [w.p("Méthode", "h2"), w.p(method), w.p("Date", "h2"), w.p(dates)]
    )


def _publics(publics: PriorityPublics | None, w: _Writer) -> list:
    """The priority publics as the page gives them: the open data's by-public cells (ADR 0057)."""
    if publics is None:
        return []
    story = w.section(publics.title, publics.message)
    if publics.is_published and publics.rows:
        head = ["Public", "Chèques utilisés publiés", "Chiffres mensuels sous secret", f"Pour 1{NBSP}000 hab.", "Part",
                "Part en France", "Indice (France = 100)"]  # fmt: skip
        rows = [
            [r.label, r.vouchers_label, r.secret_label, r.per_thousand_label, r.share_label, r.france_share_label,
             r.index_label]
            for r in publics.rows
        ]  # fmt: skip
        rows.append(["Tous les publics", publics.total_label, publics.total_secret_label, "", "", "", ""])
        story += [
            w.p(f"Chèques utilisés par public {publics.period_label}, selon les données ouvertes"),
            w.table(head, rows),
        ]
    elif publics.departements:
        names = formats.join(f"{name} ({code})" for code, name in publics.departements)
        which = "du département" if len(publics.departements) == 1 else "des départements"
        story.append(w.p(f"Voir le rapport {which} {names} (page « Diagnostic territorial » du site, ?format=pdf)."))
        return story
    return story + [w.p(publics.method)]


def diagnostic_pdf(
    d: Diagnostic,
    *,
    needs: TrainingNeeds | None,
    publics: PriorityPublics | None = None,
    edited_at: datetime.datetime,
    funder_name: str | None = None,
    brand: str | None = None,
    logo: bytes | None = None,
) -> bytes:
    """The report of a computed diagnostic (d.run set) on A4. `funder_name`: the funder's report,
    its uses in the diagnostic; `brand` and `logo`: its white-label (branding.is_white_label)."""
    if d.run is None:
        raise ValueError("the diagnostic has not been computed")
    w = _Writer(brand)
    story = _key_figures(d, w) + _reading(d, w, needs) + _missing(d, w) + _places(d, w)
    story += _distances(d, w) + _uses(d, w) + _map(d, w) + _least_covered(d, w) + _needs(needs, w)
    story += _publics(publics, w)
    story += _method(d, w, edited_at)
    story = _cover(d, w, funder_name=funder_name, logo=logo, edited_at=edited_at, titles=w.titles) + story
    title = f"Diagnostic territorial : {heading(d)}"
    return a4_pdf(
        story,
        title=w.text(title + (f" — {funder_name}" if funder_name else "")),
        author=w.mark,
        subject=w.text(title),
        footer=w.text(f"{w.mark} — {title} — calculé le {formats.date(d.run.computed_at)}"),
        moment=edited_at,
    )
