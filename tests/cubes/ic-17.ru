# rule: ic-17 · Violation · every measure must have one
DELETE WHERE { ds:r2-HTI-s ?p ?o }
