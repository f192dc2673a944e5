# rule: ic-02 · Violation · has 0 structures
DELETE DATA { <https://w3id.org/mifi-rdf/dataset/t> qb:structure <https://w3id.org/mifi-rdf/structure/s> }
