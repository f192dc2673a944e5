"""Every observation, dataset and code traces to a source a user can open: the sources the export
cites are files that `build` publishes under the base."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

BASE = "https://w3id.org/mifi-rdf/"
DEF = BASE + "def/"
QB_DATASET = URIRef("http://purl.org/linked-data/cube#dataSet")


def published(site, iri) -> bool:
    return isinstance(iri, URIRef) and str(iri).startswith(BASE) and (site / str(iri)[len(BASE):]).is_file()


def test_every_source_the_export_cites_is_a_file_of_the_built_folder(graph, site):
    """A letter cites its text, a code list its reference tables; a round cites its letter, whose
    text is in turn a published file."""
    cited = set(graph.subject_objects(DCTERMS.source))
    assert cited
    for subject, source in cited:
        if not published(site, source):
            assert (source, RDF.type, URIRef(DEF + "AccessDecision")) in graph, (subject, source)
            assert any(published(site, text) for text in graph.objects(source, DCTERMS.source)), source


def test_observations_datasets_and_codes_reach_a_published_source(graph, site):
    observation = next(graph.subjects(RDF.type, URIRef("http://purl.org/linked-data/cube#Observation")))
    dataset = graph.value(observation, QB_DATASET)
    letter = graph.value(dataset, URIRef(DEF + "letter"))
    assert published(site, graph.value(letter, DCTERMS.source))
    for concept in (URIRef(BASE + "code/country/KOR"), URIRef(BASE + "code/municipality/66023")):
        scheme = graph.value(concept, SKOS.inScheme)
        assert all(published(site, s) for s in graph.objects(scheme, DCTERMS.source))



def test_git_ignores_no_file_of_the_package_or_of_its_sources():
    """A fresh clone (and the wheel, which leaves out what .gitignore names) has every module and source."""
    import subprocess

    from conftest import ROOT

    ignored = subprocess.run(["git", "status", "--ignored", "--porcelain", "--", "src", "sources", "data", "ontology"],
                             cwd=ROOT, capture_output=True, text=True).stdout.splitlines()
    assert [line for line in ignored if line.startswith("!!") and "__pycache__" not in line and ".egg-info" not in line] == []
