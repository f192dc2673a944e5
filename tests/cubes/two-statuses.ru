# rule: value-or-status · Violation · has 2 cell statuses
INSERT DATA { ds:r2-HTI-n def:cellStatus cs:total }
