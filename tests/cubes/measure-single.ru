# rule: measure-single · Violation · has 2 values for its measure
INSERT DATA { ds:r2-HTI-n def:invitations 16 }
