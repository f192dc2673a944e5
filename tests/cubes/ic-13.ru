# rule: ic-13 · Violation · required attribute
DELETE DATA { ds:r2-HTI-s def:cellStatus cs:published }
