# rule: adjusted-total · Warning · Adjusted total 47, while its 2 published parts
DELETE DATA { ds:r2-T-n def:invitations 45 ; def:cellStatus cs:total . ds:r2-FRA-s def:share 66.7 . ds:r2-HTI-s def:share 33.3 } ;
INSERT DATA { ds:r2-T-n def:invitations 47 ; def:cellStatus cs:adjusted-total . ds:r2-FRA-s def:share 63.8 . ds:r2-HTI-s def:share 31.9 }
