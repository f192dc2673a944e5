# rule: dimension-order · Violation · has no qb:order from 1 to 5
DELETE DATA { <https://w3id.org/mifi-rdf/structure/s/country> qb:order 2 } ;
INSERT DATA { <https://w3id.org/mifi-rdf/structure/s/country> qb:order 9 }
