"""Write iso3166_countries.csv: every ISO 3166-1 country with its French and English names, from pycountry.

Run once, by hand, when pycountry (or the ISO standard) changes; the CSV is committed and is what
`mifi-rdf codelists` reads, so neither the package nor its tests need pycountry:

    python -m venv /tmp/pyc && /tmp/pyc/bin/pip install pycountry==26.2.16
    /tmp/pyc/bin/python sources/reference/iso3166_countries.py > sources/reference/iso3166_countries.csv

French names come from pycountry's gettext catalogue `locales/fr/LC_MESSAGES/iso3166-1.mo` (the
Debian iso-codes translations); a name the catalogue does not translate stops the script rather
than passing the English name off as French. The EU country authority URI is copied from
countries_fr.csv, whose URIs were checked against the EU Countries Named Authority List; the
other countries get none (see README.md).
"""

from __future__ import annotations

import csv
import gettext
import sys
from pathlib import Path

import pycountry

HERE = Path(__file__).resolve().parent
COLUMNS = ["alpha_3", "alpha_2", "numeric", "name_fr", "name_en", "common_name_fr", "common_name_en", "eu_country_uri"]


def french(catalogue: gettext.GNUTranslations, english: str) -> str:
    """The French name, refusing a name the catalogue lacks (gettext would return the English)."""
    if english not in catalogue._catalog:  # noqa: SLF001 - gettext has no public membership test
        raise SystemExit(f"no French name for {english!r} in pycountry's catalogue")
    return catalogue.gettext(english)


def main() -> None:
    catalogue = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    with (HERE / "countries_fr.csv").open(encoding="utf-8", newline="") as f:
        eu = {row["iso_alpha3"]: row["eu_country_uri"] for row in csv.DictReader(f) if row["iso_alpha3"]}
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(COLUMNS)
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_3):
        common = getattr(country, "common_name", None)
        out.writerow([
            country.alpha_3, country.alpha_2, country.numeric,
            french(catalogue, country.name), country.name,
            french(catalogue, common) if common else "", common or "",
            eu.get(country.alpha_3, ""),
        ])


if __name__ == "__main__":
    main()
