# rule: value-or-status · Violation · says it has none
INSERT DATA { ds:r1-CMR-n def:invitations 8 }
