"""What a dataset's downloadable file needs to stand alone: the vocabulary and the codes it uses.

A cube is read with its structure (qb:DataStructureDefinition, component properties), the labels
and meaning of its codes (countries, cell statuses, inferences…) and the SDMX terms it relies on.
`export --dataset` carries the whole ontology and every code list; a dataset's files in a built
folder carry the whole ontology (structures, properties, SDMX subset: small) but, of the code
lists, only what the dataset's statements reach: its codes, the schemes they are in, and what
those point to in turn (a municipality's MRC and region, a round's program). The 1,130
municipalities and 249 countries are not repeated in every file, yet `mifi-rdf validate` on the
file alone finds every label, status and structure it checks.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from ..load.vocabulary import Vocabulary
from ..namespaces import SKOS

HAS_TOP_CONCEPT = SKOS + "hasTopConcept"  # scheme -> every concept: followed, it would reach the whole list


class Standalone:
    """Adds to a dataset's statements the ontology and the code-list statements they reach."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.ontology = vocab.ontology_triples
        self.codes = vocab.code_triples
        self.by_subject: dict[ox.NamedNode | ox.BlankNode, list[ox.Triple]] = {}
        for t in self.codes:
            self.by_subject.setdefault(t.subject, []).append(t)

    def reached(self, statements: Iterable[ox.Triple], schemes: Iterable[str] = ()) -> set:
        """Subjects of code-list statements reachable from the objects of `statements` (and the
        schemes given: those of the dataset's dimensions, which its structure names)."""
        todo = list({t.object for t in statements if not isinstance(t.object, ox.Literal)})  # codes repeat: once each
        todo += [ox.NamedNode(s) for s in schemes]
        seen: set = set()
        while todo:
            node = todo.pop()
            if node in seen or node not in self.by_subject:
                continue
            seen.add(node)
            todo += [t.object for t in self.by_subject[node]
                     if t.predicate.value != HAS_TOP_CONCEPT and not isinstance(t.object, ox.Literal)]
        return seen

    def context(self, statements: Iterable[ox.Triple], schemes: Iterable[str] = ()) -> list[ox.Triple]:
        """The ontology, then the reached code-list statements in their usual order; a scheme's
        skos:hasTopConcept lists only the concepts the file carries, so nothing dangles."""
        reached = self.reached(statements, schemes)
        codes = [t for t in self.codes if t.subject in reached
                 and (t.predicate.value != HAS_TOP_CONCEPT or t.object in reached)]
        return [*self.ontology, *codes]
