# rule: ic-15 · Violation · has no value for its measure
DELETE DATA { ds:r2-HTI-n def:invitations 15 }
