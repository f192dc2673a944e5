# rule: ic-01 · Violation · belongs to 2 datasets
INSERT DATA { ds:r2-FRA-n qb:dataSet <https://w3id.org/mifi-rdf/dataset/other> }
