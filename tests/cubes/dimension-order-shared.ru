# rule: dimension-order · Violation · share the same order
INSERT DATA { <https://w3id.org/mifi-rdf/structure/s/inference> qb:order 2 }
