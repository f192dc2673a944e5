"""The web face of a published folder: one landing page per dataset carrying its schema.org
Dataset description (the JSON-LD search engines index), and an index of the whole folder.

The schema.org description says what the DCAT catalog says (titles, dates, coverage, licence,
files), in the vocabulary search engines read; both are made from the same facts.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from ..model import Letter, Table
from ..project import Project
from .catalog import catalog_iri, keywords, spatial
from .config import Config, FileFacts, Format, dataset_path, landing_page, measure
from .facts import Facts


def schema_org(project: Project, letter: Letter, table: Table, root: Path, config: Config, facts: Facts) -> dict:
    b = project.vocab.base
    iri = f"{b}dataset/{table.dataset_id}"
    cat = config.section("catalog")
    publisher = config.iri(cat["publisher"])
    place = spatial(iri, config, facts)
    place_label = facts.label(place, "fr") or config.section("quebec")["label_fr"]
    date = letter.letter_date.isoformat()
    doc: dict = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": iri,
        "url": b + landing_page(table.dataset_id),
        "name": [{"@language": "fr", "@value": table.title_fr}, {"@language": "en", "@value": table.title_en}],
        "description": [{"@language": "fr", "@value": table.description_fr},
                        {"@language": "en", "@value": table.description_en}],
        "identifier": table.dataset_id,
        "keywords": [{"@language": lang, "@value": w}
                     for lang in ("fr", "en") for w in keywords(project, table, config, facts, lang)],
        "inLanguage": ["fr", "en"],
        "license": config.license,
        "isAccessibleForFree": True,
        "publisher": {"@type": "GovernmentOrganization", "@id": publisher, "name": facts.label(publisher, "fr")},
        "datePublished": date,
        "dateModified": date,
        "spatialCoverage": {"@type": "Place", "@id": place, "name": place_label},
        "isBasedOn": f"{b}letter/{letter.ref}/table/{table.id}",
        "includedInDataCatalog": {"@type": "DataCatalog", "@id": catalog_iri(b), "name": cat["title_fr"]},
        "variableMeasured": [facts.label(m.iri, "fr") for m in table.structure.measures.values()],
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": fmt.media_type, "contentUrl": b + f.path,
             "contentSize": f"{f.size} B"}
            for fmt, f in files(table, root, config)
        ],
    }
    if iri in facts.temporal:
        start, end = facts.temporal[iri]
        doc["temporalCoverage"] = f"{start}/{end}"
    return doc


def files(table: Table, root: Path, config: Config) -> list[tuple[Format, FileFacts]]:
    return [(fmt, measure(root, dataset_path(table.dataset_id, fmt))) for fmt in config.formats]


def script_json(doc: dict) -> str:
    """JSON for a <script> element: '</' could close the element early."""
    return json.dumps(doc, ensure_ascii=False, indent=2).replace("</", "<\\/")


def landing_html(project: Project, letter: Letter, table: Table, root: Path, config: Config, facts: Facts) -> str:
    e = html.escape
    doc = schema_org(project, letter, table, root, config, facts)
    rows = "\n".join(
        f'<tr><td><a href="{e(Path(f.path).name)}">{e(Path(f.path).name)}</a></td><td>{e(fmt.media_type)}</td>'
        f"<td>{f.size}</td><td><code>{f.sha256}</code></td></tr>"
        for fmt, f in files(table, root, config))
    return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>{e(table.title_fr)}</title>
<script type="application/ld+json">
{script_json(doc)}
</script>
</head>
<body>
<h1>{e(table.title_fr)}</h1>
<p lang="en"><strong>{e(table.title_en)}</strong></p>
<p>{e(table.description_fr)}</p>
<p lang="en">{e(table.description_en)}</p>
<p>Lettre / letter {e(letter.ref)}, {e(letter.letter_date.isoformat())}.
Licence: <a href="{e(config.license)}">{e(config.license)}</a></p>
<table>
<tr><th>fichier / file</th><th>type</th><th>octets / bytes</th><th>SHA-256</th></tr>
{rows}
</table>
<p><a href="../index.html">Tous les jeux de données / all datasets</a></p>
</body>
</html>
"""


def index_html(project: Project, config: Config, folder_files: list[str]) -> str:
    e = html.escape
    cat = config.section("catalog")
    datasets = "\n".join(
        f'<li><a href="{e(landing_page(t.dataset_id))}">{e(t.dataset_id)}</a> — {e(t.title_fr)} '
        f'<span lang="en">/ {e(t.title_en)}</span></li>'
        for letter in project.letters for t in letter.tables)
    listing = "\n".join(f'<li><a href="{e(p)}">{e(p)}</a></li>' for p in folder_files)
    return f"""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>{e(cat["title_fr"])}</title>
<link rel="alternate" type="text/turtle" href="catalog.ttl">
<link rel="alternate" type="application/ld+json" href="catalog.jsonld">
</head>
<body>
<h1>{e(cat["title_fr"])}</h1>
<p lang="en"><strong>{e(cat["title_en"])}</strong></p>
<p>{e(cat["description_fr"])}</p>
<p lang="en">{e(cat["description_en"])}</p>
<h2>Jeux de données / datasets</h2>
<ul>
{datasets}
</ul>
<h2>Fichiers / files</h2>
<ul>
{listing}
</ul>
</body>
</html>
"""
