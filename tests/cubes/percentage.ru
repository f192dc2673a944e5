# rule: percentage · Violation · gives 66.667 %
DELETE DATA { ds:r2-FRA-s def:share 66.7 } ;
INSERT DATA { ds:r2-FRA-s def:share 60.0 }
