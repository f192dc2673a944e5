# rule: value-or-status · Violation · is not a known cell status
DELETE DATA { ds:r2-HTI-n def:cellStatus cs:published } ;
INSERT DATA { ds:r2-HTI-n def:cellStatus <https://w3id.org/mifi-rdf/code/cell-status/typo> }
