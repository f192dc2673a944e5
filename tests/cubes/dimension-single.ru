# rule: dimension-single · Violation · has 2 values for dimension
INSERT DATA { ds:r2-HTI-n def:round round:r1 }
