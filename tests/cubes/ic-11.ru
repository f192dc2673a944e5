# rule: ic-11 · Violation · has no value for dimension
DELETE DATA { ds:r2-HTI-n def:country country:HTI }
