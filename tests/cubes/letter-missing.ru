# rule: dataset-metadata · Violation · is not linked to its letter
DELETE DATA { <https://w3id.org/mifi-rdf/dataset/t> def:letter <https://w3id.org/mifi-rdf/letter/1> }
