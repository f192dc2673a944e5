# rule: percentage-as-printed · Warning · the inconsistency is the letter's
DELETE DATA { ds:r2-FRA-s def:share 66.7 } ;
INSERT DATA { ds:r2-FRA-s def:share 60.0 ; def:inference <https://w3id.org/mifi-rdf/code/inference/inconsistent-as-printed> }
