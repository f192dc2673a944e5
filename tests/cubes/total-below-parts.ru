# rule: total-sum · Violation · is less than the sum of its published parts
DELETE DATA { ds:r1-FRA-n def:invitations 20 . ds:r1-FRA-s def:share 44.4 } ;
INSERT DATA { ds:r1-FRA-n def:invitations 30 . ds:r1-FRA-s def:share 66.7 }
