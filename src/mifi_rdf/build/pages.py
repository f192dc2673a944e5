"""The schema.org Dataset description of a dataset's landing page: the JSON-LD search engines index.

It says what the DCAT catalog says (titles, dates, coverage, licence, files), in the vocabulary
search engines read; both are made from the same facts. The pages themselves are made by
`mifi_rdf.render` from the templates of `mifi_rdf/templates/`.
"""

from __future__ import annotations

from ..model import Letter, Table
from ..project import Project
from .catalog import catalog_iri, keywords, spatial
from .config import Config, Download, landing_page
from .facts import Facts


def schema_org(project: Project, letter: Letter, table: Table, downloads: list[Download], config: Config,
               facts: Facts) -> dict:
    """The Dataset; a download's contentSize only when the file exists (a built folder)."""
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
            {"@type": "DataDownload", "encodingFormat": d.format.media_type, "contentUrl": b + d.path,
             **({"contentSize": f"{d.facts.size} B"} if d.facts else {})}
            for d in downloads
        ],
    }
    if iri in facts.temporal:
        start, end = facts.temporal[iri]
        doc["temporalCoverage"] = f"{start}/{end}"
    return doc
