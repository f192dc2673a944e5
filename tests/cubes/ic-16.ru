# rule: ic-16 · Violation · also has a value for measure
INSERT DATA { ds:r2-HTI-n def:share 33.3 }
