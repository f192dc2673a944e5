# rule: total-sum · Violation · 3 of 4 parts have a value, summing to 47
DELETE DATA { ds:r1-FRA-n def:invitations 20 . ds:r1-FRA-s def:share 44.4 } ;
INSERT DATA { ds:r1-FRA-n def:invitations 30 . ds:r1-FRA-s def:share 66.7 }
