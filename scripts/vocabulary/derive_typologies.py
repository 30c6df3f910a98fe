"""Write aptic/vocabulary/data/typologies.csv from the data·inclusion vocabulary.

The national standard for places of digital mediation (v1.0.2) does not list its typologies: it
points to the data·inclusion "typologies de structure" vocabulary, published on PyPI as
`data-inclusion-schema` (the v0 schema, last shipped in 0.27.0). Refresh with:

    python3 -m venv /tmp/di && /tmp/di/bin/pip install data-inclusion-schema==0.27.0
    /tmp/di/bin/python scripts/vocabulary/derive_typologies.py
"""

import csv
from pathlib import Path

from data_inclusion.schema.v0.typologies_de_structures import TypologieStructure

OUT = Path(__file__).resolve().parents[2] / "aptic" / "vocabulary" / "data" / "typologies.csv"


def main():
    rows = sorted(((t.value, t.label) for t in TypologieStructure), key=lambda row: row[0])
    with open(OUT, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "label"])
        writer.writerows(rows)
    print(f"{len(rows)} typologies written to {OUT}")


if __name__ == "__main__":
    main()
