"""Generate the reference code lists (countries, regions, MRCs, municipalities) as Turtle.

The four files in `ontology/codes/` are derived from the authoritative CSV files in
`sources/reference/` and never edited by hand, so that every code can be traced to a source: each
list names its files as `dcterms:source` (IRIs under the base, which `build` publishes and `serve`
answers) and says where they come from in French and English (`rdfs:comment`).
The Turtle is written by hand rather than by an RDF serializer so that the output is stable
(sorted by notation, fixed prefixes, relative IRIs resolved against the base chosen at parse
time) and byte-identical from one run to the next, which lets a test compare it with the
committed files.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .codelists_fr import alternative_label_note, french
from .errors import InputError, MifiError
from .files import regular
from .ingest.labels import deep_fold
from .serialize.quoted import quoted
from .serialize.writers import atomic_output

# Where the reference files are published, relative to the base URI (and to the repository): named
# in the header and in dcterms:source, whatever folder was actually read.
REFERENCE_PATH = "sources/reference"

PREFIXES = """\
@prefix def: <def/> .
@prefix code: <code/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

MAMH_FR = "Répertoire des municipalités du Québec du MAMH (fichier MUN.csv, instantané de fin 2023)"
MAMH_EN = "MAMH Répertoire des municipalités du Québec (MUN.csv, late-2023 snapshot)"
SGC_FR = "Classification géographique type (CGT) 2021 de Statistique Canada"
SGC_EN = "Statistics Canada Standard Geographical Classification (SGC) 2021"
README = "README.md"  # of sources/reference: provenance and licence of every file, linked by rdfs:seeAlso

# Codes go into IRIs and must keep their leading zeros: check their shape instead of trusting them.
PATTERNS = {
    "iso_alpha3": r"[A-Z]{3}",
    "iso_alpha2": r"[A-Z]{2}",
    "iso_numeric": r"[0-9]{3}",
    "alpha_3": r"[A-Z]{3}",
    "alpha_2": r"[A-Z]{2}",
    "numeric": r"[0-9]{3}",
    "region_code": r"[0-9]{2}",
    "mrc_code": r"[0-9]{3}",
    "code_geo": r"[0-9]{5}",
    "sgc_cd_2021": r"[0-9]{4}",
    "sgc_csd_2021": r"[0-9]{7}",
}
# countries_fr.csv's `spelling` of a label of the letters: an ISO name, another spelling (altLabel),
# or a typo (hiddenLabel); the editorial note the last two get, in each language.
SPELLINGS = {
    "iso": {},
    "variant": {"fr": "« {label} » : graphie de ce pays dans les lettres du MIFI.",
                "en": "\"{label}\": spelling of this country in MIFI's letters."},
    "misspelling": {"fr": "« {label} » : faute de frappe imprimée dans une lettre du MIFI ; étiquette cachée, qui relie "
                          "le libellé imprimé à ce pays.",
                    "en": "\"{label}\": misspelling printed in a MIFI letter; a hidden label, which links the printed "
                          "label to this country."},
}
# Characters an IRIREF may not contain (Turtle grammar), plus controls.
IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
# A trailing "(comment)" in an alt_labels entry, e.g. "Matane (SGC 2016 census-division name)".
TRAILING_COMMENT = re.compile(r"(.+?)\s*\(([^()]+)\)")


class ReferenceError(MifiError):
    """The reference data cannot be turned into a code list without guessing (bad input: exit 1)."""

    exit_code = 1


@dataclass
class Concept:
    """One skos:Concept, kept as already-formatted Turtle terms grouped by predicate."""

    notation: str
    iri: str
    props: list[tuple[str, list[str]]] = field(default_factory=list)

    def add(self, predicate: str, *objects: str) -> None:
        values = [o for o in dict.fromkeys(objects) if o]
        if values:
            self.props.append((predicate, values))


@dataclass(frozen=True)
class Scheme:
    """A skos:ConceptScheme and what its file says about it."""

    name: str  # code/{name}
    filename: str
    sources: tuple[str, ...]  # files of sources/reference/ read, the first one holding the codes
    provenance_fr: str
    provenance_en: str
    label_fr: str
    label_en: str
    definition_fr: str
    definition_en: str
    top_concepts: bool
    also: str = ""  # a source that is not a file of sources/reference (CLDR through babel), for the header line

    @property
    def iri(self) -> str:
        return f"<code/{self.name}>"

    @property
    def source_csv(self) -> str:
        return self.sources[0]


SCHEMES = {
    "country": Scheme(
        "country", "countries.ttl", ("iso3166_countries.csv", "countries_fr.csv"),
        "Codes et noms ISO 3166-1 du paquet pycountry 26.2.16 (noms français : traductions iso-codes de Debian) ; "
        "graphies des lettres du MIFI ; noms français courants des pays du CLDR {cldr} d'Unicode (paquet babel "
        "{babel}) en libellés alternatifs, sauf ceux qui sont aussi un libellé d'un autre pays ; URI de la liste "
        "d'autorité des pays de l'Office des publications de l'UE (version 20221214-0).",
        "ISO 3166-1 codes and names from the pycountry 26.2.16 package (French names: Debian's iso-codes "
        "translations); spellings of MIFI's letters; the common French country names of Unicode CLDR {cldr} "
        "(babel {babel} package) as alternative labels, except those that are also a label of another country; URIs "
        "of the EU Publications Office Countries authority list (version 20221214-0).",
        "Pays de citoyenneté", "Country of citizenship",
        "Pays de citoyenneté des personnes, identifiés par leur code ISO 3166-1 alpha-3.",
        "Countries of citizenship of the persons, identified by their ISO 3166-1 alpha-3 code.",
        True,
    ),
    "region": Scheme(
        "region", "regions.ttl", ("quebec_regions.csv",), MAMH_FR + ".", MAMH_EN + ".",
        "Région administrative", "Administrative region",
        "Régions administratives du Québec, identifiées par leur code à deux chiffres.",
        "Administrative regions of Quebec, identified by their two-digit code.",
        True,
    ),
    "mrc": Scheme(
        "mrc", "mrc.ttl", ("quebec_mrc.csv",), f"{MAMH_FR} ; {SGC_FR}.", f"{MAMH_EN}; {SGC_EN}.",
        "Municipalité régionale de comté (MRC)", "Regional county municipality (MRC)",
        "Municipalités régionales de comté du Québec (et l'Administration régionale Kativik), identifiées par "
        "leur code MAMH à trois chiffres.",
        "Regional county municipalities of Quebec (and the Kativik Regional Government), identified by their "
        "three-digit MAMH code.",
        True,
    ),
    "municipality": Scheme(
        "municipality", "municipalities.ttl", ("quebec_municipalities.csv",), f"{MAMH_FR} ; {SGC_FR}.",
        f"{MAMH_EN}; {SGC_EN}.",
        "Municipalité", "Municipality",
        "Municipalités locales du Québec, identifiées par leur code géographique MAMH à cinq chiffres ; "
        "chacune a pour concept plus large sa MRC, ou sa région si elle n'appartient à aucune MRC.",
        "Local municipalities of Quebec, identified by their five-digit MAMH geographic code; each has its "
        "MRC as broader concept, or its region when it belongs to no MRC.",
        False,
    ),
}


# ---------------------------------------------------------------- Turtle terms


def literal(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    """A Turtle string literal; escapes what STRING_LITERAL_QUOTE forbids, and other controls."""
    body = quoted(text)
    if lang:
        return f"{body}@{lang}"
    if datatype:
        return f"{body}^^{datatype}"
    return body


def iri(value: str) -> str:
    """An absolute or relative IRI in angle brackets, refusing characters an IRIREF cannot hold."""
    if not value or IRI_FORBIDDEN.search(value):
        raise ReferenceError(f"not usable as an IRI: {value!r}")
    return f"<{value}>"


def render(scheme: Scheme, concepts: list[Concept]) -> str:
    """The whole file: header, prefixes, the scheme, then the concepts sorted by notation."""
    concepts = sorted(concepts, key=lambda c: c.notation)
    notations = [c.notation for c in concepts]
    if len(set(notations)) != len(notations):
        raise ReferenceError(f"{scheme.source_csv}: duplicate notations")
    files = [f"{REFERENCE_PATH}/{name}" for name in scheme.sources]
    lines = [
        f"# {scheme.label_en} code list, generated by mifi_rdf.codelists from {', '.join(files)}{scheme.also}.",
        "# Do not edit by hand: edit the reference file and run `mifi-rdf codelists` again.",
        "# Relative IRIs, resolved against the export's base URI.",
        "",
        PREFIXES,
        f"{scheme.iri} a skos:ConceptScheme ;",
        f"    skos:prefLabel {literal(scheme.label_fr, 'fr')}, {literal(scheme.label_en, 'en')} ;",
        f"    skos:definition {literal(scheme.definition_fr, 'fr')},",
        f"        {literal(scheme.definition_en, 'en')} ;",
    ]
    lines.append(f"    dcterms:source {', '.join(iri(f) for f in files)} ;")
    lines.append(f"    rdfs:comment {literal(scheme.provenance_fr, 'fr')},")
    lines.append(f"        {literal(scheme.provenance_en, 'en')} ;")
    end = " ;" if scheme.top_concepts else " ."
    lines.append(f"    rdfs:seeAlso {iri(f'{REFERENCE_PATH}/{README}')}{end}")
    if scheme.top_concepts:
        lines.append("    skos:hasTopConcept " + ",\n        ".join(c.iri for c in concepts) + " .")
    for c in concepts:
        lines.append("")
        lines.append(f"{c.iri} a skos:Concept ;")
        props = [("skos:inScheme", [scheme.iri])]
        if scheme.top_concepts:
            props.append(("skos:topConceptOf", [scheme.iri]))
        props += c.props
        for i, (pred, objs) in enumerate(props):
            end = " ." if i == len(props) - 1 else " ;"
            lines.append(f"    {pred} {', '.join(objs)}{end}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- reading the reference


def read_rows(path: Path, columns: Iterable[str]) -> list[dict[str, str]]:
    """Rows of a reference CSV as strings (leading zeros kept), after checking its header."""
    regular(path)  # a FIFO or a device given as a reference table: refused, not waited on (issue 23)
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise ReferenceError(f"{path.name}: missing columns {', '.join(missing)}")
        rows = []
        expected = reader.fieldnames or []
        for row in reader:
            if None in row or any(v is None for v in row.values()):  # more fields than the header, or fewer
                found = len(expected) + len(row[None]) if None in row else sum(v is not None for v in row.values())
                raise InputError(path, reader.line_num, min(found, len(expected)) + 1,
                                 f"expected {len(expected)} fields ({','.join(expected)}), found {found}")
            rows.append(row)
    return rows


def code(row: dict[str, str], column: str, where: str) -> str:
    """A code cell, checked against the shape its list uses (a lost leading zero fails here)."""
    value = row[column]
    if not re.fullmatch(PATTERNS[column], value):
        raise ReferenceError(f"{where}: {column} {value!r} does not match {PATTERNS[column]}")
    return value


def text(row: dict[str, str], column: str, where: str) -> str:
    """A label cell, which must not be empty."""
    value = row[column].strip()
    if not value:
        raise ReferenceError(f"{where}: empty {column}")
    return value


def unique(rows: list[dict[str, str]], column: str, filename: str) -> dict[str, dict[str, str]]:
    """Rows keyed by their code, refusing a code that appears twice."""
    out: dict[str, dict[str, str]] = {}
    for n, row in enumerate(rows, start=2):
        key = code(row, column, f"{filename}:{n}")
        if key in out:
            raise ReferenceError(f"{filename}:{n}: duplicate {column} {key}")
        out[key] = row
    return out


def proper_name(name: str) -> list[str]:
    """Labels of a place: a proper name reads the same in French and English."""
    return [literal(name, "fr"), literal(name, "en")]


# ---------------------------------------------------------------- the four lists


def cldr_french_names() -> tuple[str, str, dict[str, str]]:
    """CLDR's French names of the territories, by ISO 3166-1 alpha-2 code: (CLDR version, babel version, names).

    The short names people write (« Russie », « Corée du Sud », « Syrie ») where ISO's are formal
    (« Russie, Fédération de »). babel ships CLDR's data; its version decides the names, and the
    generated file says which."""
    import babel
    from babel import Locale
    from babel.core import get_cldr_version

    return get_cldr_version(), babel.__version__, dict(Locale("fr").territories)


def countries(reference_dir: Path, cldr: dict[str, str] | None = None, skipped: list[str] | None = None) -> list[Concept]:
    """One concept per ISO 3166-1 country, named as ISO names it; MIFI's own spellings as extra labels.

    iso3166_countries.csv gives every country, its codes and its ISO names in French and English
    (the short name as prefLabel, pycountry's common name, when it has one, as altLabel).
    countries_fr.csv gives the labels printed in the letters: one that is not an ISO name becomes
    an altLabel (`variant`, e.g. « Congo (Rép. dém. du) ») or, for a typo, a hiddenLabel
    (`misspelling`, « Bésil »), so that the printed label still leads to its country, with an
    editorial note in both languages. Its row without a code (the residual « Autres ») is skipped:
    residual codes are hand-written in residuals.ttl.

    `cldr` (alpha-2 → CLDR's French name) adds each country's common French name as an altLabel, unless
    it is already one of its labels or it is, accents and case aside, a label of another country (or
    CLDR's name of two): a machine never picks between homonyms, so such a name is left out and said in
    `skipped`.
    """
    iso_file, mifi_file = SCHEMES["country"].sources
    iso_rows = unique(read_rows(reference_dir / iso_file, [
        "alpha_3", "alpha_2", "numeric", "name_fr", "name_en", "common_name_fr", "common_name_en", "eu_country_uri",
    ]), "alpha_3", iso_file)
    spellings: dict[str, list[tuple[str, str]]] = {}  # alpha-3 -> (label, SKOS property)
    for n, row in enumerate(read_rows(reference_dir / mifi_file, [
        "label_fr", "iso_alpha2", "iso_alpha3", "iso_numeric", "spelling", "eu_country_uri",
    ]), start=2):
        where = f"{mifi_file}:{n}"
        label = text(row, "label_fr", where)
        if not row["iso_alpha3"]:
            if row["spelling"] or any(row[c] for c in ("iso_alpha2", "iso_numeric", "eu_country_uri")):
                raise ReferenceError(f"{where}: {label!r} has some ISO codes but no alpha-3 code")
            continue  # residual row (`Autres`), no official code
        alpha3 = code(row, "iso_alpha3", where)
        iso = iso_rows.get(alpha3)
        if iso is None:
            raise ReferenceError(f"{where}: {alpha3} is not an ISO 3166-1 code of {iso_file}")
        for mine, theirs in (("iso_alpha2", "alpha_2"), ("iso_numeric", "numeric"), ("eu_country_uri", "eu_country_uri")):
            if row[mine] != iso[theirs]:
                raise ReferenceError(f"{where}: {mine} {row[mine]!r} differs from {iso_file}'s {theirs} {iso[theirs]!r}")
        is_iso = label in (iso["name_fr"], iso["common_name_fr"])
        if is_iso != (row["spelling"] == "iso"):
            expected = "iso" if is_iso else "variant or misspelling"
            raise ReferenceError(f"{where}: spelling of {label!r} should be {expected}, got {row['spelling']!r}")
        if row["spelling"] not in SPELLINGS:
            raise ReferenceError(f"{where}: spelling must be one of {', '.join(SPELLINGS)}, got {row['spelling']!r}")
        if not is_iso:
            spellings.setdefault(alpha3, []).append((label, row["spelling"]))

    owners: dict[str, set[str]] = {}  # folded label -> the countries that bear it (ISO names, MIFI's spellings)
    for alpha3, row in iso_rows.items():
        for label in (row["name_fr"], row["name_en"], row["common_name_fr"], row["common_name_en"],
                      *(label for label, _ in spellings.get(alpha3, []))):
            if label.strip():
                owners.setdefault(deep_fold(label), set()).add(alpha3)
    common: dict[str, str] = {}  # alpha-3 -> CLDR's French name, when it is added
    if cldr:
        by_name: dict[str, set[str]] = {}
        for alpha3, row in iso_rows.items():
            if row["alpha_2"] in cldr:
                by_name.setdefault(deep_fold(cldr[row["alpha_2"]]), set()).add(alpha3)
        for alpha3, row in iso_rows.items():
            name = cldr.get(row["alpha_2"], "").strip()
            if not name:
                continue
            others = (owners.get(deep_fold(name), set()) | by_name[deep_fold(name)]) - {alpha3}
            if others:
                if skipped is not None:
                    skipped.append(f"« {name} » (CLDR's French name of {alpha3}) not added: also a label of "
                                   f"{', '.join(sorted(others))}")
                continue
            common[alpha3] = name

    concepts = []
    for alpha3, row in iso_rows.items():
        where = f"{iso_file} ({alpha3})"
        c = Concept(alpha3, iri(f"code/country/{alpha3}"))
        c.add("skos:notation", literal(alpha3), literal(code(row, "alpha_2", where), datatype="def:iso3166-alpha2"),
              literal(code(row, "numeric", where), datatype="def:iso3166-numeric"))
        name_fr, name_en = text(row, "name_fr", where), text(row, "name_en", where)
        c.add("skos:prefLabel", literal(name_fr, "fr"), literal(name_en, "en"))
        mifi = sorted(spellings.get(alpha3, []))
        alt = [literal(row["common_name_fr"].strip(), "fr")] if row["common_name_fr"].strip() not in ("", name_fr) else []
        alt += [literal(label, "fr") for label, kind in mifi if kind == "variant"]
        if alpha3 in common and common[alpha3] not in (name_fr, row["common_name_fr"].strip(), *(label for label, _ in mifi)):
            alt.append(literal(common[alpha3], "fr"))
        if row["common_name_en"].strip() not in ("", name_en):
            alt.append(literal(row["common_name_en"].strip(), "en"))
        c.add("skos:altLabel", *alt)
        c.add("skos:hiddenLabel", *(literal(label, "fr") for label, kind in mifi if kind == "misspelling"))
        if row["eu_country_uri"]:
            c.add("skos:exactMatch", iri(row["eu_country_uri"]))
        notes = [literal(SPELLINGS[kind][lang].format(label=label), lang) for label, kind in mifi for lang in ("fr", "en")]
        c.add("skos:editorialNote", *notes)
        concepts.append(c)
    return concepts


def regions(reference_dir: Path) -> tuple[list[Concept], set[str]]:
    """The administrative regions, and their codes for checking the other lists' references."""
    filename = SCHEMES["region"].source_csv
    rows = unique(read_rows(reference_dir / filename, ["region_code", "region_name"]), "region_code", filename)
    concepts = []
    for rc, row in rows.items():
        c = Concept(rc, iri(f"code/region/{rc}"))
        c.add("skos:notation", literal(rc))
        c.add("skos:prefLabel", *proper_name(text(row, "region_name", f"{filename} ({rc})")))
        concepts.append(c)
    return concepts, set(rows)


def mrcs(reference_dir: Path, region_codes: set[str]) -> tuple[list[Concept], dict[str, str]]:
    """The MRCs, each under its region; and their region codes for checking the municipalities.

    `sgc_cd_2021` may list several census divisions separated by `;` (MRC Papineau spans two):
    each becomes a typed notation. An `alt_labels` entry ending in a parenthesised comment gives
    the label without it, and the comment as an editorial note.
    """
    filename = SCHEMES["mrc"].source_csv
    rows = unique(read_rows(reference_dir / filename, [
        "mrc_code", "mrc_name", "region_code", "sgc_cd_2021", "cd_relation", "alt_labels",
    ]), "mrc_code", filename)
    concepts, mrc_region = [], {}
    for mc, row in rows.items():
        where = f"{filename} ({mc})"
        rc = code(row, "region_code", where)
        if rc not in region_codes:
            raise ReferenceError(f"{where}: region {rc} is not in {SCHEMES['region'].source_csv}")
        mrc_region[mc] = rc
        name = text(row, "mrc_name", where)
        cds = [cd.strip() for cd in row["sgc_cd_2021"].split(";") if cd.strip()]
        for cd in cds:
            code({"sgc_cd_2021": cd}, "sgc_cd_2021", where)
        alt_labels, notes, notes_fr = [], [], []
        for entry in (e.strip() for e in row["alt_labels"].split(";")):
            if not entry:
                continue
            m = TRAILING_COMMENT.fullmatch(entry)
            if m:
                alt_labels.append(m.group(1))
                notes.append(f'Alternative label "{m.group(1)}": {m.group(2)}')
                notes_fr.append(alternative_label_note(m.group(1), french(m.group(2), where)))
            else:
                alt_labels.append(entry)

        c = Concept(mc, iri(f"code/mrc/{mc}"))
        c.add("skos:notation", literal(mc), *(literal(cd, datatype="def:sgc2021-cd") for cd in sorted(set(cds))))
        c.add("skos:prefLabel", *proper_name(name))
        c.add("skos:altLabel", *(literal(a, "fr") for a in alt_labels if a != name))
        c.add("skos:broader", iri(f"code/region/{rc}"))
        relation = row["cd_relation"].strip()
        if relation and relation != "same municipalities":
            c.add("skos:scopeNote", literal(french(relation, where), "fr"), literal(relation, "en"))
        c.add("skos:editorialNote", *(literal(n, "fr") for n in notes_fr), *(literal(n, "en") for n in notes))
        concepts.append(c)
    return concepts, mrc_region


def municipalities(reference_dir: Path, region_codes: set[str], mrc_region: dict[str, str]) -> list[Concept]:
    """Every local municipality, under its MRC, or under its region when it belongs to no MRC."""
    filename = SCHEMES["municipality"].source_csv
    rows = unique(read_rows(reference_dir / filename, [
        "code_geo", "name", "designation", "mrc_code", "region_code", "sgc_csd_2021", "note",
    ]), "code_geo", filename)
    concepts = []
    for cg, row in rows.items():
        where = f"{filename} ({cg})"
        rc = code(row, "region_code", where)
        if rc not in region_codes:
            raise ReferenceError(f"{where}: region {rc} is not in {SCHEMES['region'].source_csv}")
        if row["mrc_code"]:
            mc = code(row, "mrc_code", where)
            if mc not in mrc_region:
                raise ReferenceError(f"{where}: MRC {mc} is not in {SCHEMES['mrc'].source_csv}")
            if mrc_region[mc] != rc:
                raise ReferenceError(f"{where}: region {rc} differs from the region {mrc_region[mc]} of MRC {mc}")
            broader = f"code/mrc/{mc}"
        else:
            broader = f"code/region/{rc}"

        c = Concept(cg, iri(f"code/municipality/{cg}"))
        csd = [literal(code(row, "sgc_csd_2021", where), datatype="def:sgc2021-csd")] if row["sgc_csd_2021"] else []
        c.add("skos:notation", literal(cg), *csd)
        c.add("skos:prefLabel", *proper_name(text(row, "name", where)))
        c.add("dcterms:type", literal(text(row, "designation", where), "fr"))
        c.add("skos:broader", iri(broader))
        if row["note"].strip():
            c.add("skos:editorialNote", literal(french(row["note"].strip(), where), "fr"), literal(row["note"].strip(), "en"))
        concepts.append(c)
    return concepts


# ---------------------------------------------------------------- writing


def write_reference_codelists(reference_dir: Path, out_dir: Path, report: list[str] | None = None) -> list[Path]:
    """Write countries.ttl, regions.ttl, mrc.ttl and municipalities.ttl; return their paths.

    Everything is read and checked before the first file is written, so bad reference data
    leaves the existing files untouched. `report` receives what a person should know (CLDR names
    left out as homonyms).
    """
    reference_dir, out_dir = Path(reference_dir), Path(out_dir)
    region_concepts, region_codes = regions(reference_dir)
    mrc_concepts, mrc_region = mrcs(reference_dir, region_codes)
    cldr_version, babel_version, cldr = cldr_french_names()
    schemes = dict(SCHEMES)
    schemes["country"] = replace(SCHEMES["country"],
                                 provenance_fr=SCHEMES["country"].provenance_fr.format(cldr=cldr_version, babel=babel_version),
                                 provenance_en=SCHEMES["country"].provenance_en.format(cldr=cldr_version, babel=babel_version),
                                 also=f" and the French names of Unicode CLDR {cldr_version} (babel {babel_version})")
    skipped: list[str] = []
    contents = {
        "country": countries(reference_dir, cldr, skipped),
        "region": region_concepts,
        "mrc": mrc_concepts,
        "municipality": municipalities(reference_dir, region_codes, mrc_region),
    }
    rendered = [(out_dir / schemes[name].filename, render(schemes[name], concepts)) for name, concepts in contents.items()]
    if report is not None:
        report += [f"country: {line}" for line in skipped]
    out_dir.mkdir(parents=True, exist_ok=True)
    for path, content in rendered:
        with atomic_output(path) as f:
            f.write(content.encode("utf-8"))
    return [path for path, _ in rendered]

