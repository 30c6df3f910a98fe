#!/usr/bin/env python3
"""Derive the French territories reference CSVs loaded by the `aptic.territories` app.

Sources
  1. npm package @etalab/decoupage-administratif (version pinned in package.json,
     installed with `npm ci` next to this script): regions, départements, EPCI
     (with members), communes (names, postal codes, population, delegated communes).
  2. communes-2024.csv (INSEE COG 2024 compiled with coordinates): COORDINATES only.

Output (UTF-8, comma-separated, header row, "\\n" line endings, sorted by code)
  aptic/territories/data/regions.csv       code,name
  aptic/territories/data/departements.csv  code,name,region_code
  aptic/territories/data/epcis.csv         siren,name,nature
  aptic/territories/data/communes.csv      insee_code,name,departement_code,region_code,
                                           epci_siren,population,latitude,longitude,postal_codes

Scope: metropolitan France + the five overseas départements (971, 972, 973, 974, 976),
i.e. the package entries with zone "metro" or "drom". The collectivités d'outre-mer
(zone "com": 975, 977, 978, 984, 986, 987, 988, 989) are left out: they are not
départements and the coordinates source has no row for them.

Standard library only. Usage: python3 derive.py [path/to/communes-2024.csv]
"""

import argparse
import csv
import io
import json
import sys
from collections import defaultdict
from pathlib import Path

SCRIPT_DIR = Path(__file__).resolve().parent
REPO_ROOT = SCRIPT_DIR.parent.parent
PACKAGE_NAME = "@etalab/decoupage-administratif"
DEFAULT_PACKAGE_DIR = SCRIPT_DIR / "node_modules" / "@etalab" / "decoupage-administratif"
DEFAULT_COMMUNES_CSV = SCRIPT_DIR / ".." / ".." / ".." / "shared" / "data" / "communes-2024.csv"
DEFAULT_OUT_DIR = REPO_ROOT / "aptic" / "territories" / "data"

KEPT_ZONES = ("metro", "drom")

# Rough bounding boxes (lat_min, lat_max, lng_min, lng_max) used as sanity checks.
METRO_BOX = (41.0, 51.5, -5.5, 10.0)
DROM_BOXES = {
    "971": (15.8, 16.6, -61.9, -60.9),  # Guadeloupe
    "972": (14.3, 15.0, -61.3, -60.7),  # Martinique
    "973": (2.0, 6.0, -54.7, -51.5),  # Guyane
    "974": (-21.5, -20.8, 55.1, 55.9),  # La Réunion
    "976": (-13.1, -12.5, 44.9, 45.4),  # Mayotte
}
# A commune must also lie within the bounding box of its département's 2024
# communes, widened by this margin (degrees).
DEPT_BOX_MARGIN = 0.05

RULES = {
    "a": "(a) COM row of the 2024 file with the same INSEE code",
    "b1": "(b1) 2024 row of the same code, any type (COMD/ARM)",
    "b2": "(b2) population-weighted mean of the 2024 rows whose insee_parente is the code",
    "b3-seat": "(b3) 2026 delegated/associated commune carrying the same code (seat), 2024 coordinates",
    "b3-mean": "(b3) population-weighted mean of the 2026 delegated/associated communes' 2024 coordinates",
    "c1": "(c1) population-weighted mean of the 2024 coordinates of the package's anciensCodes",
    "c2": "(c2) APPROXIMATE: mean of the 2024 communes of the same département sharing a postal code",
}


def fail(message):
    print(f"ERROR: {message}", file=sys.stderr)
    sys.exit(1)


def load_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def check_package_version(package_dir):
    """The installed package must be the exact version pinned in package.json."""
    pinned = load_json(SCRIPT_DIR / "package.json")["dependencies"][PACKAGE_NAME]
    installed_manifest = package_dir / "package.json"
    if not installed_manifest.is_file():
        fail(f"{installed_manifest} not found: run `npm ci` in {SCRIPT_DIR}")
    installed = load_json(installed_manifest)["version"]
    if installed != pinned:
        fail(f"{PACKAGE_NAME} {installed} installed but {pinned} pinned: run `npm ci` in {SCRIPT_DIR}")
    return installed


def load_coordinates_source(path):
    """Index the 2024 file by INSEE code.

    Returns {code: {"types": set, "name": str, "dep": str, "lat": float|None,
    "lng": float|None, "population": int, "postal_codes": set, "parent": str}}
    where lat/lng/name/population come from the COM row when there is one
    (otherwise from the first row of the code), and a dict {parent: set(children)}.
    """
    required = {
        "insee_com",
        "insee_dep",
        "commune",
        "code_postal",
        "commune_type",
        "insee_parente",
        "lat",
        "lng",
        "population_2021",
    }
    entries = {}
    children = defaultdict(set)
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = required - set(reader.fieldnames or ())
        if missing:
            fail(f"{path}: missing columns {sorted(missing)}")
        for row in reader:
            code = row["insee_com"].strip()
            kind = row["commune_type"].strip()
            lat_text, lng_text = row["lat"].strip(), row["lng"].strip()
            lat = float(lat_text) if lat_text else None
            lng = float(lng_text) if lng_text else None
            if (lat is None) != (lng is None):
                fail(f"{path}: {code} has only one of lat/lng")
            pop_text = row["population_2021"].strip()
            population = int(float(pop_text)) if pop_text else 0
            entry = entries.get(code)
            # The COM row wins over COMD/ARM rows carrying the same code.
            if entry is None or (kind == "COM" and "COM" not in entry["types"]):
                previous = entry
                entry = {
                    "types": set(previous["types"]) if previous else set(),
                    "name": row["commune"].strip(),
                    "dep": row["insee_dep"].strip(),
                    "lat": lat,
                    "lng": lng,
                    "population": population,
                    "postal_codes": set(previous["postal_codes"]) if previous else set(),
                    "parent": row["insee_parente"].strip(),
                }
                entries[code] = entry
            elif entry["lat"] is None and lat is not None:
                entry["lat"], entry["lng"] = lat, lng
            entry["types"].add(kind)
            if row["code_postal"].strip():
                entry["postal_codes"].add(row["code_postal"].strip())
            parent = row["insee_parente"].strip()
            if parent and parent != code:
                children[parent].add(code)
    return entries, children


def weighted_mean(points):
    """points: list of (code, lat, lng, weight), in a deterministic order."""
    points = sorted(points)
    total = sum(weight for _, _, _, weight in points)
    if total <= 0:
        return (sum(p[1] for p in points) / len(points), sum(p[2] for p in points) / len(points))
    return (sum(p[1] * p[3] for p in points) / total, sum(p[2] * p[3] for p in points) / total)


def with_coordinates(codes, source):
    return [
        (c, source[c]["lat"], source[c]["lng"], source[c]["population"])
        for c in sorted(set(codes))
        if c in source and source[c]["lat"] is not None
    ]


def locate(commune, source, children_2024, delegated_by_parent, com_codes_by_dep_postal):
    """Return (lat, lng, rule, detail) or None, applying the rules in order."""
    code = commune["code"]
    entry = source.get(code)
    # (a) COM row of the same code.
    if entry and "COM" in entry["types"] and entry["lat"] is not None:
        return entry["lat"], entry["lng"], "a", ""
    # (b1) Row of the same code, any type.
    if entry and entry["lat"] is not None:
        return entry["lat"], entry["lng"], "b1", f"2024 {'/'.join(sorted(entry['types']))} row"
    # (b2) 2024 rows whose parent is this code (e.g. Paris/Lyon/Marseille arrondissements).
    points = with_coordinates(children_2024.get(code, ()), source)
    if points:
        lat, lng = weighted_mean(points)
        return lat, lng, "b2", "mean of " + " ".join(p[0] for p in points)
    # (b3) Delegated/associated communes of the 2026 package attached to this code.
    delegated = delegated_by_parent.get(code, ())
    if code in delegated:
        seat = with_coordinates([code], source)
        if seat:
            return seat[0][1], seat[0][2], "b3-seat", f"seat {code}"
    points = with_coordinates(delegated, source)
    if points:
        lat, lng = weighted_mean(points)
        return lat, lng, "b3-mean", "mean of " + " ".join(p[0] for p in points)
    # (c1) Former codes listed by the package (code changes without delegated communes).
    points = with_coordinates(commune.get("anciensCodes") or (), source)
    if points:
        lat, lng = weighted_mean(points)
        return lat, lng, "c1", "mean of " + " ".join(p[0] for p in points)
    # (c2) Communes of the same département sharing a postal code (approximate).
    neighbours = set()
    for postal_code in commune.get("codesPostaux") or ():
        neighbours |= com_codes_by_dep_postal.get((commune["departement"], postal_code), set())
    neighbours.discard(code)
    points = [(c, lat, lng, 1) for c, lat, lng, _ in with_coordinates(neighbours, source)]
    if points:
        lat, lng = weighted_mean(points)
        return lat, lng, "c2", "mean of " + " ".join(p[0] for p in points)
    return None


def in_box(lat, lng, box):
    lat_min, lat_max, lng_min, lng_max = box
    return lat_min <= lat <= lat_max and lng_min <= lng <= lng_max


def render_csv(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_if_changed(path, text):
    data = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return "unchanged"
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return "written"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "communes_csv",
        nargs="?",
        default=str(DEFAULT_COMMUNES_CSV),
        help="communes-2024.csv, the coordinates source (default: %(default)s)",
    )
    parser.add_argument(
        "--package-dir", default=str(DEFAULT_PACKAGE_DIR), help=f"installed {PACKAGE_NAME} (default: %(default)s)"
    )
    parser.add_argument("--out-dir", default=str(DEFAULT_OUT_DIR), help="output folder (default: %(default)s)")
    args = parser.parse_args()

    package_dir = Path(args.package_dir)
    communes_csv = Path(args.communes_csv).resolve()
    out_dir = Path(args.out_dir)
    if not communes_csv.is_file():
        fail(f"{communes_csv} not found")
    version = check_package_version(package_dir)
    data_dir = package_dir / "data"

    regions_src = load_json(data_dir / "regions.json")
    departements_src = load_json(data_dir / "departements.json")
    epcis_src = load_json(data_dir / "epci.json")
    communes_src = load_json(data_dir / "communes.json")
    source, children_2024 = load_coordinates_source(communes_csv)

    # ---- regions / départements -------------------------------------------------------
    regions = {r["code"]: r for r in regions_src if r["zone"] in KEPT_ZONES}
    departements = {d["code"]: d for d in departements_src if d["zone"] in KEPT_ZONES}
    for d in departements.values():
        if d["region"] not in regions:
            fail(f"département {d['code']} refers to unknown region {d['region']}")

    # ---- communes ---------------------------------------------------------------------
    current = {}
    excluded_zone = []
    delegated_by_parent = defaultdict(set)
    for c in communes_src:
        if c["type"] == "commune-actuelle":
            if c["zone"] not in KEPT_ZONES:
                excluded_zone.append(c)
                continue
            if c["code"] in current:
                fail(f"duplicate current commune {c['code']}")
            current[c["code"]] = c
        elif c["type"] in ("commune-deleguee", "commune-associee"):
            delegated_by_parent[c["chefLieu"]].add(c["code"])

    epci_of = {}
    for e in epcis_src:
        for member in e["membres"]:
            if member["code"] in epci_of:
                fail(f"commune {member['code']} belongs to EPCIs {epci_of[member['code']]} and {e['code']}")
            epci_of[member["code"]] = e["code"]

    com_codes_by_dep_postal = defaultdict(set)
    for code, entry in source.items():
        if "COM" in entry["types"]:
            for postal_code in entry["postal_codes"]:
                com_codes_by_dep_postal[(entry["dep"], postal_code)].add(code)

    # Bounding box of each département's 2024 communes, for sanity checks.
    dept_boxes = {}
    for entry in source.values():
        if "COM" in entry["types"] and entry["lat"] is not None and entry["dep"]:
            box = dept_boxes.get(entry["dep"])
            lat, lng = entry["lat"], entry["lng"]
            dept_boxes[entry["dep"]] = (
                (lat, lat, lng, lng)
                if box is None
                else (min(box[0], lat), max(box[1], lat), min(box[2], lng), max(box[3], lng))
            )

    rule_counts = dict.fromkeys(RULES, 0)
    special = []
    unlocated = []
    errors = []
    warnings = []
    commune_rows = []
    for code in sorted(current):
        c = current[code]
        dep = c["departement"]
        if dep not in departements:
            errors.append(f"{code} {c['nom']}: unknown département {dep}")
        elif departements[dep]["region"] != c["region"]:
            errors.append(f"{code} {c['nom']}: region {c['region']} != region of département {dep}")
        located = locate(c, source, children_2024, delegated_by_parent, com_codes_by_dep_postal)
        if located is None:
            unlocated.append(f"{code} {c['nom']}")
            continue
        lat, lng, rule, detail = located
        lat, lng = round(lat, 5), round(lng, 5)
        rule_counts[rule] += 1
        if rule != "a":
            special.append((rule, f"{code} {c['nom']}: {lat:.5f},{lng:.5f} [{detail}]"))
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            errors.append(f"{code} {c['nom']}: impossible coordinates {lat},{lng}")
        box = METRO_BOX if c["zone"] == "metro" else DROM_BOXES.get(dep)
        if box is None or not in_box(lat, lng, box):
            errors.append(f"{code} {c['nom']}: {lat},{lng} outside the expected area of {dep}")
        dbox = dept_boxes.get(dep)
        if dbox and not in_box(
            lat,
            lng,
            (
                dbox[0] - DEPT_BOX_MARGIN,
                dbox[1] + DEPT_BOX_MARGIN,
                dbox[2] - DEPT_BOX_MARGIN,
                dbox[3] + DEPT_BOX_MARGIN,
            ),
        ):
            errors.append(f"{code} {c['nom']}: {lat},{lng} outside the 2024 extent of département {dep}")
        entry = source.get(code)
        if entry and "COM" in entry["types"] and entry["dep"] and entry["dep"] != dep:
            warnings.append(f"{code} {c['nom']}: département {entry['dep']} in 2024, {dep} in the package")

        postal_codes = sorted(set(c.get("codesPostaux") or ()))
        if not postal_codes and entry:
            postal_codes = sorted(entry["postal_codes"])
        if not postal_codes:
            warnings.append(f"{code} {c['nom']}: no postal code in either source")
        population = c.get("population")
        commune_rows.append(
            [
                code,
                c["nom"],
                dep,
                c["region"],
                epci_of.get(code, ""),
                "" if population is None else str(int(population)),
                f"{lat:.5f}",
                f"{lng:.5f}",
                " ".join(postal_codes),
            ]
        )

    if unlocated:
        print("Communes without coordinates after all rules:", file=sys.stderr)
        for line in unlocated:
            print(f"  {line}", file=sys.stderr)
    if errors:
        print("Sanity check failures:", file=sys.stderr)
        for line in errors:
            print(f"  {line}", file=sys.stderr)
    if unlocated or errors:
        fail(f"{len(unlocated)} commune(s) without coordinates, {len(errors)} sanity error(s); nothing written")

    # ---- EPCIs: those with at least one member in scope --------------------------------
    epci_rows = [
        [e["code"], e["nom"], e["type"]]
        for e in sorted(epcis_src, key=lambda e: e["code"])
        if any(m["code"] in current for m in e["membres"])
    ]
    epci_codes = {row[0] for row in epci_rows}
    orphans = sorted(code for code, siren in epci_of.items() if code not in current and siren in epci_codes)
    if orphans:
        warnings.append(f"EPCI members that are not current communes in scope: {' '.join(orphans)}")

    outputs = {
        "regions.csv": render_csv(["code", "name"], [[r["code"], r["nom"]] for _, r in sorted(regions.items())]),
        "departements.csv": render_csv(
            ["code", "name", "region_code"],
            [[d["code"], d["nom"], d["region"]] for _, d in sorted(departements.items())],
        ),
        "epcis.csv": render_csv(["siren", "name", "nature"], epci_rows),
        "communes.csv": render_csv(
            [
                "insee_code",
                "name",
                "departement_code",
                "region_code",
                "epci_siren",
                "population",
                "latitude",
                "longitude",
                "postal_codes",
            ],
            commune_rows,
        ),
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    status = {name: write_if_changed(out_dir / name, text) for name, text in outputs.items()}

    # ---- summary ------------------------------------------------------------------------
    com_2024 = {code for code, entry in source.items() if "COM" in entry["types"]}
    new_codes = sorted(set(current) - com_2024)
    gone_codes = sorted(com_2024 - set(current))
    print(f"Sources: {PACKAGE_NAME} {version}; {communes_csv} ({len(com_2024)} COM codes)")
    print(f"Output folder: {out_dir}")
    counts = {
        "regions.csv": len(regions),
        "departements.csv": len(departements),
        "epcis.csv": len(epci_rows),
        "communes.csv": len(commune_rows),
    }
    for name in outputs:
        print(f"  {name}: {counts[name]} rows ({status[name]})")
    print(f"Left out: {len(excluded_zone)} communes of collectivités d'outre-mer (zone 'com')")
    no_epci = [f"{r[0]} {r[1]}" for r in commune_rows if not r[4]]
    print(f"Communes without EPCI ({len(no_epci)}): {', '.join(no_epci)}")
    print("Coordinates by rule:")
    for rule, label in RULES.items():
        print(f"  {rule_counts[rule]:6d}  {label}")
    for rule, line in sorted(special):
        print(f"    {rule}: {line}")
    print(f"Current communes (2026) with no COM row in the 2024 file ({len(new_codes)}):")
    for code in new_codes:
        seen = source.get(code)
        note = f" [2024: {'/'.join(sorted(seen['types']))} {seen['name']}]" if seen else ""
        print(f"  {code} {current[code]['nom']}{note}")
    print(f"2024 COM codes no longer current communes ({len(gone_codes)}):")
    package_types = {}
    for c in communes_src:
        package_types.setdefault(c["code"], []).append(c["type"] if c["type"] != "commune-actuelle" else "out of scope")
    for code in gone_codes:
        now = ", ".join(sorted(set(package_types.get(code, ["absent from the package"]))))
        print(f"  {code} {source[code]['name']} ({now})")
    for line in warnings:
        print(f"WARNING: {line}")


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # e.g. `python3 derive.py | head`
        sys.stderr.close()
        sys.exit(1)
