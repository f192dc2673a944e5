# rule: measure-datatype · Violation · is of type
DELETE DATA { ds:r2-FRA-s def:share 66.7 } ;
INSERT DATA { ds:r2-FRA-s def:share "66.7" }
