"""The DCAT-AP 3 catalog of a published folder, with the provenance of the build.

One dcat:Catalog; one dcat:Dataset per cube (the same IRI as its qb:DataSet, so a harvester and a
SPARQL user speak of the same thing); one dcat:Distribution per file, with the size and SHA-256
of the file as written; one dcat:DatasetSeries per [[series]] of catalog.toml (see series.py),
reached from its members by dcat:inSeries (the catalog's dcat:dataset lists the datasets only:
DCAT-AP 3 gives it the range dcat:Dataset, which a series is only by inference). The statements
are made from the built folder, so `publish` can load the very catalog that `build` wrote (see
`catalog_statements`).

Every resource the catalog points to (licence, language, media type, theme…) is typed with the
class DCAT-AP expects of it: harvesters and the SHACL shapes read the catalog on its own, without
fetching the vocabularies it refers to.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from .. import __version__
from ..model import Letter, Table
from ..namespaces import ADMS, DCAT, DCT, FOAF, LABEL, PROV, SCHEMA, SKOS, SPDX, VCARD, A, N, en, fr, typed
from ..project import Project
from .config import Config, Format, Options, dataset_path, landing_page, measure, version_iri, version_path
from .consolidated import Consolidated, consolidate, cube_formats
from .facts import Facts
from .history import DatasetHistory, History
from .series import Series, find_series
from .sources import provenance_statements, source_files

RDF_FORMATS = {"ttl", "jsonld", "nt"}
WITHDRAWN = "http://purl.org/adms/status/Withdrawn"
# what a version states as its dataset does: about the dataset, not its content; and, for the current version
# only (the same files), its coverage
VERSION_SHARED = {DCAT + "keyword", DCAT + "theme", DCT + "publisher", DCAT + "contactPoint", DCT + "language",
                  DCT + "accrualPeriodicity", DCT + "conformsTo"}
VERSION_COVERAGE = {DCT + "temporal", DCT + "spatial"}  # ADMS's status vocabulary, as DCAT-AP 3 uses it


def catalog_iri(base: str) -> str:
    return base + "catalog"


def build_iri(base: str) -> str:
    return base + "build"


def catalog_date(project: Project, options: Options) -> str:
    """The date of the catalog: --issued, or the date of the latest letter (never the clock)."""
    if options.issued:
        return options.issued.isoformat()
    return max(letter.letter_date for letter in project.letters).isoformat()


def catalog_statements(project: Project, root: Path, config: Config, facts: Facts,
                       options: Options, history: History | None = None) -> Iterator[ox.Triple]:
    """The catalog of the folder `root`, whose data files must already be written.

    Each statement once, in order of first appearance: the resources datasets share (the checksum
    algorithm, a region, a theme) are described by every dataset that uses them, and a writer that
    does not merge duplicates (Turtle, RDF/XML) would repeat them.

    With the folder's `history` (release.json), each dataset carries its versions (DCAT 3 versioning) and
    the datasets it withdrew stay, marked withdrawn.
    """
    yield from dict.fromkeys(ox.Triple(s, p, o) for s, p, o in _catalog(project, root, config, facts, options, history))


def _catalog(project: Project, root: Path, config: Config, facts: Facts, options: Options,
             history: History | None) -> Iterator[tuple]:
    b = project.vocab.base
    cat = config.section("catalog")
    c = N(catalog_iri(b))
    date = typed(catalog_date(project, options), "date")
    first = typed(history.releases[0].date, "date") if history else date  # the catalog's first release
    modified = typed(history.current.date, "date") if history else date
    yield c, A, N(DCAT + "Catalog")
    yield c, N(DCT + "title"), fr(cat["title_fr"])
    yield c, N(DCT + "title"), en(cat["title_en"])
    yield c, N(DCT + "description"), fr(cat["description_fr"])
    yield c, N(DCT + "description"), en(cat["description_en"])
    yield c, N(DCT + "issued"), first
    yield c, N(DCT + "modified"), modified
    homepage = N(config.iri(cat["homepage"]))
    yield c, N(FOAF + "homepage"), homepage
    yield homepage, A, N(FOAF + "Document")
    yield c, N(DCT + "publisher"), N(config.iri(cat["publisher"]))
    yield c, N(DCT + "license"), N(config.license)
    yield from _license(config)
    for lang in cat["languages"]:
        yield c, N(DCT + "language"), N(lang)
    yield from _languages(config)
    taxonomy = N(cat["theme_taxonomy"])
    yield c, N(DCAT + "themeTaxonomy"), taxonomy
    yield taxonomy, A, N(SKOS + "ConceptScheme")
    yield taxonomy, N(DCT + "title"), en(cat["theme_taxonomy_title_en"])
    yield c, N(DCT + "spatial"), N(config.section("quebec")["iri"])
    yield from _agents(project, config)
    yield from _build_activity(project)
    yield from provenance_statements(project, root, source_files(), N(build_iri(b)))
    yield from _shared_resources(config, facts)
    series = find_series(project, config)
    for letter in project.letters:
        for table in letter.tables:
            yield c, N(DCAT + "dataset"), N(f"{b}dataset/{table.dataset_id}")
            yield from _dataset(project, letter, table, root, config, facts, history)
            yield from _membership(b, table, series)
    for ds in (history.datasets.values() if history else ()):
        if ds.withdrawn is not None:
            yield c, N(DCAT + "dataset"), N(f"{b}dataset/{ds.id}")
            yield from _withdrawn(project, ds, root, config)
    for s in series:
        yield from _series(project, s, config, facts)
    for s in series:
        cube = consolidate(project, s)
        yield c, N(DCAT + "dataset"), N(cube.iri(b))
        yield from _cube(project, cube, root, config, facts, history)


def _license(config: Config) -> Iterator[tuple]:
    lic = config.section("license")
    node = N(config.license)
    yield node, A, N(DCT + "LicenseDocument")
    if config.license == lic["iri"]:  # a licence given with --license is named by its IRI only
        yield node, N(DCT + "title"), fr(lic["title_fr"])
        yield node, N(DCT + "title"), en(lic["title_en"])
        yield node, N(DCT + "type"), N(lic["type"])
        yield from _concept(lic["type"], lic["type_label_en"])


def _concept(iri: str, label_en: str) -> Iterator[tuple]:
    """A term of an authority table, typed and labelled so the catalog stands on its own."""
    yield N(iri), A, N(SKOS + "Concept")
    yield N(iri), N(SKOS + "prefLabel"), en(label_en)


def _languages(config: Config) -> Iterator[tuple]:
    for lang in config.section("catalog")["languages"]:
        yield N(lang), A, N(DCT + "LinguisticSystem")


def _agents(project: Project, config: Config) -> Iterator[tuple]:
    """The publisher and the software, as described in ontology/agents.ttl, plus the version."""
    publisher = config.iri(config.section("catalog")["publisher"])
    software = project.vocab.base + "agent/mifi-rdf"
    for t in project.vocab.ontology_triples:
        if t.subject.value in (publisher, software) and isinstance(t.subject, ox.NamedNode):
            yield t.subject, t.predicate, t.object
    kind = config.section("publisher")
    yield N(publisher), N(DCT + "type"), N(kind["type"])
    yield from _concept(kind["type"], kind["type_label_en"])
    yield N(software), N(SCHEMA + "softwareVersion"), ox.Literal(__version__)
    contact = config.section("contact")
    k = N(config.iri(contact["iri"]))
    yield k, A, N(VCARD + "Organization")
    yield k, A, N(VCARD + "Kind")
    yield k, N(VCARD + "fn"), fr(contact["fn_fr"])
    yield k, N(VCARD + "fn"), en(contact["fn_en"])
    yield k, N(VCARD + "hasURL"), N(contact["url"])


def _build_activity(project: Project) -> Iterator[tuple]:
    """The build as a prov:Activity: which software, which version, which letters it read."""
    b = project.vocab.base
    activity = N(build_iri(b))
    yield activity, A, N(PROV + "Activity")
    yield activity, LABEL, fr(f"Construction des cubes de données par mifi-rdf {__version__}")
    yield activity, LABEL, en(f"Build of the data cubes by mifi-rdf {__version__}")
    yield activity, N(PROV + "wasAssociatedWith"), N(b + "agent/mifi-rdf")
    for letter in project.letters:
        yield activity, N(PROV + "used"), N(f"{b}letter/{letter.ref}")


def _shared_resources(config: Config, facts: Facts) -> Iterator[tuple]:
    cat = config.section("catalog")
    for theme in config.section("theme"):
        t = N(theme["iri"])
        yield t, A, N(SKOS + "Concept")
        yield t, N(SKOS + "inScheme"), N(cat["theme_taxonomy"])
        yield t, N(SKOS + "prefLabel"), fr(theme["label_fr"])
        yield t, N(SKOS + "prefLabel"), en(theme["label_en"])
    yield N(cat["accrual_periodicity"]), A, N(DCT + "Frequency")
    quebec = config.section("quebec")
    q = N(quebec["iri"])
    yield q, A, N(DCT + "Location")
    yield q, N(SKOS + "prefLabel"), fr(quebec["label_fr"])
    yield q, N(SKOS + "prefLabel"), en(quebec["label_en"])
    for key in ("conforms_to", "csvw"):
        std = config.section(key)
        yield N(std["iri"]), A, N(DCT + "Standard")
        yield N(std["iri"]), N(DCT + "title"), en(std["title_en"])
    for fmt in config.formats:
        yield N(fmt.media_type_iri), A, N(DCT + "MediaType")
        yield N(fmt.file_type), A, N(DCT + "MediaTypeOrExtent")
    for regions in facts.regions.values():
        if len(regions) == 1:
            r = N(regions[0])
            yield r, A, N(DCT + "Location")
            yield r, N(SKOS + "prefLabel"), fr(facts.label(regions[0], "fr"))
            yield r, N(SKOS + "prefLabel"), en(facts.label(regions[0], "en"))


def _dataset(project: Project, letter: Letter, table: Table, root: Path, config: Config,
             facts: Facts, history: History | None = None) -> Iterator[tuple]:
    """A current dataset, its distributions and (with a history) its versions, which share what describes
    the dataset rather than its content (keywords, themes, publisher, contact, languages…) and, for the
    current version only (the same files), its coverage in time and space."""
    d = N(f"{project.vocab.base}dataset/{table.dataset_id}")
    own = list(_dataset_own(project, letter, table, root, config, facts, history))
    yield from own
    past = history.datasets.get(table.dataset_id) if history else None
    if past:
        shared = [(p, o) for s, p, o in own if s == d and p.value in VERSION_SHARED]
        coverage = [(p, o) for s, p, o in own if s == d and p.value in VERSION_COVERAGE]
        yield from _versions(d, past, root, config, project.vocab.base, shared, coverage)


def _dataset_own(project: Project, letter: Letter, table: Table, root: Path, config: Config,
                 facts: Facts, history: History | None) -> Iterator[tuple]:
    b = project.vocab.base
    cat = config.section("catalog")
    iri = f"{b}dataset/{table.dataset_id}"
    d = N(iri)
    past = history.datasets.get(table.dataset_id) if history else None
    issued = typed(past.issued if past else letter.letter_date.isoformat(), "date")
    modified = typed(past.modified, "date") if past else issued  # moves only when a new version is published
    yield d, A, N(DCAT + "Dataset")
    yield d, N(DCT + "title"), fr(table.title_fr)
    yield d, N(DCT + "title"), en(table.title_en)
    yield d, N(DCT + "description"), fr(table.description_fr)
    yield d, N(DCT + "description"), en(table.description_en)
    yield d, N(DCT + "identifier"), ox.Literal(table.dataset_id)
    for word in keywords(project, table, config, facts, "fr"):
        yield d, N(DCAT + "keyword"), fr(word)
    for word in keywords(project, table, config, facts, "en"):
        yield d, N(DCAT + "keyword"), en(word)
    for theme in config.section("theme"):
        yield d, N(DCAT + "theme"), N(theme["iri"])
    yield d, N(DCT + "publisher"), N(config.iri(cat["publisher"]))
    yield d, N(DCAT + "contactPoint"), N(config.iri(config.section("contact")["iri"]))
    yield d, N(DCT + "issued"), issued
    yield d, N(DCT + "modified"), modified
    for lang in cat["languages"]:
        yield d, N(DCT + "language"), N(lang)
    if iri in facts.temporal:
        start, end = facts.temporal[iri]
        period = ox.BlankNode(f"temporal-{table.dataset_id}")
        yield d, N(DCT + "temporal"), period
        yield period, A, N(DCT + "PeriodOfTime")
        yield period, N(DCAT + "startDate"), typed(start, "date")
        yield period, N(DCAT + "endDate"), typed(end, "date")
    yield d, N(DCT + "spatial"), N(spatial(iri, config, facts))
    yield d, N(DCT + "accrualPeriodicity"), N(cat["accrual_periodicity"])
    page = N(b + landing_page(table.dataset_id))
    yield d, N(DCAT + "landingPage"), page
    yield page, A, N(FOAF + "Document")
    yield d, N(DCT + "conformsTo"), N(config.section("conforms_to")["iri"])
    letter_iri = N(f"{b}letter/{letter.ref}")
    yield d, N(PROV + "wasDerivedFrom"), letter_iri
    yield d, N(PROV + "wasDerivedFrom"), N(f"{b}letter/{letter.ref}/table/{table.id}")
    yield d, N(PROV + "wasGeneratedBy"), N(build_iri(b))
    for fmt in config.formats:
        yield from _distribution(d, f"{iri}/distribution/{fmt.key}", dataset_path(table.dataset_id, fmt), fmt,
                                 table.title_fr, table.title_en, modified, root, config, b)
    sha256 = N(SPDX + "checksumAlgorithm_sha256")
    yield sha256, A, N(SPDX + "ChecksumAlgorithm")


# not csvw.py's CSV of a table: one row per cell of a consolidated cube, with where each figure comes from
CUBE_CSV_DESCRIPTION = (
    "Une ligne par cellule du cube consolidé : codes des dimensions, mesure, valeur, statut, jeu de données et lettre "
    "d'où vient le chiffre, ce qu'il confirme et ce qu'il révise, notes.",
    "One row per cell of the consolidated cube: the dimensions' codes, measure, value, status, the dataset and letter "
    "the figure comes from, what it confirms and what it revises, notes.")


def _distribution(d: ox.NamedNode, dist_iri: str, rel: str, fmt: Format, title_fr: str, title_en: str,
                  issued: ox.Literal, root: Path, config: Config, b: str,
                  description: tuple[str, str] | None = None) -> Iterator[tuple]:
    """One file of a dataset (of one of its versions, or of a series' consolidated cube) as written: its URL, format,
    size and SHA-256; `description` (fr, en) replaces the format's own."""
    facts_of_file = measure(root, rel)
    dist = N(dist_iri)
    url = N(b + facts_of_file.path)
    yield d, N(DCAT + "distribution"), dist
    yield dist, A, N(DCAT + "Distribution")
    yield dist, N(DCT + "title"), fr(f"{title_fr} ({fmt.title_fr})")
    yield dist, N(DCT + "title"), en(f"{title_en} ({fmt.title_en})")
    description_fr, description_en = description or (fmt.description_fr, fmt.description_en)
    yield dist, N(DCT + "description"), fr(description_fr)
    yield dist, N(DCT + "description"), en(description_en)
    yield dist, N(DCAT + "accessURL"), url
    yield dist, N(DCAT + "downloadURL"), url
    yield dist, N(DCAT + "mediaType"), N(fmt.media_type_iri)
    yield dist, N(DCT + "format"), N(fmt.file_type)
    yield dist, N(DCT + "license"), N(config.license)
    yield dist, N(DCT + "issued"), issued
    yield dist, N(DCAT + "byteSize"), typed(str(facts_of_file.size), "nonNegativeInteger")
    if fmt.key in RDF_FORMATS:
        yield dist, N(DCT + "conformsTo"), N(config.section("conforms_to")["iri"])
    elif fmt.key == "csvw":
        yield dist, N(DCT + "conformsTo"), N(config.section("csvw")["iri"])
    checksum = ox.BlankNode("checksum-" + re.sub(r"[^A-Za-z0-9]", "-", rel))
    yield dist, N(SPDX + "checksum"), checksum
    yield checksum, A, N(SPDX + "Checksum")
    yield checksum, N(SPDX + "algorithm"), N(SPDX + "checksumAlgorithm_sha256")
    yield checksum, N(SPDX + "checksumValue"), typed(facts_of_file.sha256, "hexBinary")


def _versions(d: ox.NamedNode, ds: DatasetHistory, root: Path, config: Config, b: str,
              shared: list[tuple], coverage: list[tuple], formats: list[Format] | None = None,
              descriptions: dict[str, tuple[str, str]] | None = None) -> Iterator[tuple]:
    """DCAT 3 versioning: the dataset names its versions and (unless withdrawn) its current one; each version is a
    dcat:Dataset of its own (dcterms:isVersionOf, dcat:version, dcat:previousVersion, adms:versionNotes, its date)
    with its own distributions, the files under dataset/{id}/v{n}/ that never change once published: in `formats`
    (catalog.toml's unless given: a consolidated cube's), a format's own description unless `descriptions` has one."""
    yield d, N(DCAT + "version"), ox.Literal(str(ds.current.number))
    if ds.withdrawn is None:
        yield d, N(DCAT + "hasCurrentVersion"), N(version_iri(b, ds.id, ds.current.number))
    for v in ds.versions:
        node = N(version_iri(b, ds.id, v.number))
        yield d, N(DCAT + "hasVersion"), node
        yield node, A, N(DCAT + "Dataset")
        yield node, N(DCT + "isVersionOf"), d
        yield node, N(DCAT + "version"), ox.Literal(str(v.number))
        if v.number > 1:
            yield node, N(DCAT + "previousVersion"), N(version_iri(b, ds.id, v.number - 1))
        yield node, N(ADMS + "versionNotes"), fr(v.notes_fr)
        yield node, N(ADMS + "versionNotes"), en(v.notes_en)
        date = typed(v.date, "date")
        yield node, N(DCT + "issued"), date
        yield node, N(DCT + "identifier"), ox.Literal(f"{ds.id}/v{v.number}")
        title_fr, title_en = f"{ds.title_fr} (version {v.number})", f"{ds.title_en} (version {v.number})"
        yield node, N(DCT + "title"), fr(title_fr)
        yield node, N(DCT + "title"), en(title_en)
        yield node, N(DCT + "description"), fr(f"Version {v.number} du jeu de données {ds.id}, publiée le {v.date} : "
                                               f"{v.notes_fr}")
        yield node, N(DCT + "description"), en(f"Version {v.number} of dataset {ds.id}, published on {v.date}: "
                                               f"{v.notes_en}")
        for p, o in [*shared, *(coverage if v is ds.current and ds.withdrawn is None else [])]:
            yield node, p, o
        for fmt in config.formats if formats is None else formats:
            yield from _distribution(node, f"{b}dataset/{ds.id}/v{v.number}/distribution/{fmt.key}",
                                     version_path(ds.id, v.number, fmt), fmt, title_fr, title_en, date, root, config, b,
                                     (descriptions or {}).get(fmt.key))


def _withdrawn(project: Project, ds: DatasetHistory, root: Path, config: Config) -> Iterator[tuple]:
    """A dataset the data no longer has: kept in the catalog with adms:status Withdrawn, its titles, why it was
    withdrawn and what replaces it (dcterms:isReplacedBy), and its versions, whose files stay published."""
    b = project.vocab.base
    cat = config.section("catalog")
    d = N(f"{b}dataset/{ds.id}")
    w = ds.withdrawn
    yield d, A, N(DCAT + "Dataset")
    yield d, N(DCT + "title"), fr(ds.title_fr)
    yield d, N(DCT + "title"), en(ds.title_en)
    yield d, N(DCT + "description"), fr(f"{ds.description_fr} Retiré le {w.date} : {w.reason_fr}".strip())
    yield d, N(DCT + "description"), en(f"{ds.description_en} Withdrawn on {w.date}: {w.reason_en}".strip())
    yield d, N(DCT + "identifier"), ox.Literal(ds.id)
    yield d, N(ADMS + "status"), N(WITHDRAWN)
    yield N(WITHDRAWN), A, N(SKOS + "Concept")
    yield N(WITHDRAWN), N(SKOS + "prefLabel"), en("Withdrawn")
    yield d, N(DCT + "issued"), typed(ds.issued, "date")
    yield d, N(DCT + "modified"), typed(w.date, "date")
    yield d, N(DCT + "publisher"), N(config.iri(cat["publisher"]))
    yield d, N(DCAT + "contactPoint"), N(config.iri(config.section("contact")["iri"]))
    for other in w.replaced_by:
        yield d, N(DCT + "isReplacedBy"), N(f"{b}dataset/{other}")
    for lang in cat["languages"]:
        yield d, N(DCT + "language"), N(lang)
    for theme in config.section("theme"):
        yield d, N(DCAT + "theme"), N(theme["iri"])
    page = N(b + landing_page(ds.id))
    yield d, N(DCAT + "landingPage"), page
    yield page, A, N(FOAF + "Document")
    shared = [(N(DCT + "publisher"), N(config.iri(cat["publisher"]))),
              (N(DCAT + "contactPoint"), N(config.iri(config.section("contact")["iri"]))),
              *((N(DCT + "language"), N(lang)) for lang in cat["languages"]),
              *((N(DCAT + "theme"), N(theme["iri"])) for theme in config.section("theme"))]
    yield from _versions(d, ds, root, config, b, shared, [])


def _membership(b: str, table: Table, series: list[Series]) -> Iterator[tuple]:
    """A member of a series says so (dcat:inSeries) and names its neighbours: dcat:prev, and its
    inverse dcat:next, which DCAT 3 allows only beside it."""
    for s in series:
        i = next((n for n, member in enumerate(s.members) if member is table), None)  # identity: tables hold cells
        if i is not None:
            d = N(f"{b}dataset/{table.dataset_id}")
            yield d, N(DCAT + "inSeries"), N(s.iri)
            if i > 0:
                yield d, N(DCAT + "prev"), N(f"{b}dataset/{s.members[i - 1].dataset_id}")
            if i + 1 < len(s.members):
                yield d, N(DCAT + "next"), N(f"{b}dataset/{s.members[i + 1].dataset_id}")


def _series(project: Project, s: Series, config: Config, facts: Facts) -> Iterator[tuple]:
    """A dcat:DatasetSeries (DCAT-AP 3): titles, descriptions, publisher, contact, dates and the
    coverage of its members, its first and last member, and its page."""
    b = project.vocab.base
    cat = config.section("catalog")
    node = N(s.iri)
    letters = {letter.ref: letter for letter in project.letters}
    issued = sorted(letters[t.letter_ref].letter_date.isoformat() for t in s.members)
    yield node, A, N(DCAT + "DatasetSeries")
    yield node, N(DCT + "identifier"), ox.Literal(s.id)
    yield node, N(DCT + "title"), fr(s.title_fr)
    yield node, N(DCT + "title"), en(s.title_en)
    yield node, N(DCT + "description"), fr(s.description_fr)
    yield node, N(DCT + "description"), en(s.description_en)
    yield node, N(DCT + "publisher"), N(config.iri(cat["publisher"]))
    yield node, N(DCAT + "contactPoint"), N(config.iri(config.section("contact")["iri"]))
    yield node, N(DCT + "issued"), typed(issued[0], "date")
    yield node, N(DCT + "modified"), typed(issued[-1], "date")
    yield node, N(DCT + "accrualPeriodicity"), N(cat["accrual_periodicity"])
    spans = [facts.temporal[f"{b}dataset/{t.dataset_id}"] for t in s.members if f"{b}dataset/{t.dataset_id}" in facts.temporal]
    if spans:
        period = ox.BlankNode(f"temporal-series-{s.id}")
        yield node, N(DCT + "temporal"), period
        yield period, A, N(DCT + "PeriodOfTime")
        yield period, N(DCAT + "startDate"), typed(min(start for start, _ in spans), "date")
        yield period, N(DCAT + "endDate"), typed(max(end for _, end in spans), "date")
    places = {spatial(f"{b}dataset/{t.dataset_id}", config, facts) for t in s.members}
    yield node, N(DCT + "spatial"), N(places.pop() if len(places) == 1 else config.section("quebec")["iri"])
    yield node, N(DCAT + "first"), N(f"{b}dataset/{s.members[0].dataset_id}")
    yield node, N(DCAT + "last"), N(f"{b}dataset/{s.members[-1].dataset_id}")
    page = N(f"{b}series/{s.id}.html")
    yield node, N(DCAT + "landingPage"), page
    yield page, A, N(FOAF + "Document")


def _cube(project: Project, cube: Consolidated, root: Path, config: Config, facts: Facts,
          history: History | None = None) -> Iterator[tuple]:
    """A series' consolidated cube (consolidated.py): a dcat:Dataset of its own beside the dcat:DatasetSeries,
    which DCAT-AP 3 gives no distribution. It names the series (dcterms:relation) and each member it is made
    from (dcterms:source, the DCAT-AP property for a dataset derived from another, and prov:wasDerivedFrom).
    With the folder's history, it is versioned as a letter's dataset is: a new version each time its N-Triples
    file changes (a later letter's rounds, a revised figure), dcterms:modified that version's date."""
    own = list(_cube_own(project, cube, root, config, facts, history))
    yield from own
    past = history.datasets.get(cube.dataset_id) if history else None
    if past:
        d = N(cube.iri(project.vocab.base))
        shared = [(p, o) for s, p, o in own if s == d and p.value in VERSION_SHARED]
        coverage = [(p, o) for s, p, o in own if s == d and p.value in VERSION_COVERAGE]
        yield from _versions(d, past, root, config, project.vocab.base, shared, coverage, cube_formats(config),
                             {"csv": CUBE_CSV_DESCRIPTION})


def _cube_own(project: Project, cube: Consolidated, root: Path, config: Config, facts: Facts,
              history: History | None) -> Iterator[tuple]:
    b = project.vocab.base
    cat = config.section("catalog")
    s, members = cube.series, cube.series.members
    d = N(cube.iri(b))
    letters = {letter.ref: letter for letter in project.letters}
    dates = sorted(letters[t.letter_ref].letter_date.isoformat() for t in members)
    past = history.datasets.get(cube.dataset_id) if history else None
    issued = typed(past.issued if past else dates[0], "date")
    # without a history, the latest member's letter; with one, the date of the release of its current version
    modified = typed(past.modified if past else dates[-1], "date")
    yield d, A, N(DCAT + "Dataset")
    for lang, lit in (("fr", fr), ("en", en)):
        yield d, N(DCT + "title"), lit(cube.title(lang))
        yield d, N(DCT + "description"), lit(cube.description(lang))
    yield d, N(DCT + "identifier"), ox.Literal(cube.dataset_id)
    for lang, lit in (("fr", fr), ("en", en)):
        for word in keywords(project, members[0], config, facts, lang):
            yield d, N(DCAT + "keyword"), lit(word)
    for theme in config.section("theme"):
        yield d, N(DCAT + "theme"), N(theme["iri"])
    yield d, N(DCT + "publisher"), N(config.iri(cat["publisher"]))
    yield d, N(DCAT + "contactPoint"), N(config.iri(config.section("contact")["iri"]))
    yield d, N(DCT + "issued"), issued
    yield d, N(DCT + "modified"), modified
    for lang in cat["languages"]:
        yield d, N(DCT + "language"), N(lang)
    spans = [facts.temporal[f"{b}dataset/{t.dataset_id}"] for t in members if f"{b}dataset/{t.dataset_id}" in facts.temporal]
    if spans:
        period = ox.BlankNode(f"temporal-{cube.dataset_id}")
        yield d, N(DCT + "temporal"), period
        yield period, A, N(DCT + "PeriodOfTime")
        yield period, N(DCAT + "startDate"), typed(min(start for start, _ in spans), "date")
        yield period, N(DCAT + "endDate"), typed(max(end for _, end in spans), "date")
    places = {spatial(f"{b}dataset/{t.dataset_id}", config, facts) for t in members}
    yield d, N(DCT + "spatial"), N(places.pop() if len(places) == 1 else config.section("quebec")["iri"])
    yield d, N(DCT + "accrualPeriodicity"), N(cat["accrual_periodicity"])
    page = N(f"{b}series/{s.id}.html")
    yield d, N(DCAT + "landingPage"), page
    yield page, A, N(FOAF + "Document")
    yield d, N(DCT + "conformsTo"), N(config.section("conforms_to")["iri"])
    yield d, N(DCT + "relation"), N(s.iri)
    for t in members:
        yield d, N(DCT + "source"), N(f"{b}dataset/{t.dataset_id}")
        yield d, N(PROV + "wasDerivedFrom"), N(f"{b}dataset/{t.dataset_id}")
    yield d, N(PROV + "wasGeneratedBy"), N(build_iri(b))
    for fmt in cube_formats(config):
        yield from _distribution(d, f"{cube.iri(b)}/distribution/{fmt.key}", dataset_path(cube.dataset_id, fmt), fmt,
                                 cube.title("fr"), cube.title("en"), modified, root, config, b,
                                 CUBE_CSV_DESCRIPTION if fmt.key == "csv" else None)


def spatial(dataset_iri: str, config: Config, facts: Facts) -> str:
    """The one region all the dataset's MRCs lie in, else the province."""
    regions = facts.regions.get(dataset_iri, [])
    return regions[0] if len(regions) == 1 else config.section("quebec")["iri"]


def keywords(project: Project, table: Table, config: Config, facts: Facts, lang: str) -> list[str]:
    """One term per keyword: the catalog's, the letter's programs and the table's dimensions."""
    b = project.vocab.base
    letter = next(x for x in project.letters if x.ref == table.letter_ref)
    words = list(config.section("catalog")[f"keywords_{lang}"])
    words += [facts.label(f"{b}code/program/{p}", lang) for p in letter.programs]
    words += [facts.label(dim.iri, lang) for dim in table.structure.dimensions]
    out: list[str] = []
    for w in words:
        if w and w not in out:
            out.append(w)
    return out

