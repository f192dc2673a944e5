# rule: ic-06 · Violation · is declared optional
INSERT DATA { <https://w3id.org/mifi-rdf/structure/s/country> qb:componentRequired false }
