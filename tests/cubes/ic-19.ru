# rule: ic-19 · Violation · is not a concept of its code list
DELETE DATA { ds:r2-HTI-n def:country country:HTI } ;
INSERT DATA { ds:r2-HTI-n def:country country:XXX }
