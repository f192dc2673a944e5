# rule: revision-target · Violation · which dataset
INSERT DATA { ds:r2-HTI-n <http://www.w3.org/ns/prov#wasRevisionOf> ds:r9-HTI-n }
