# rule: disclosure · Violation · under the letter's suppression threshold (10)
DELETE DATA { ds:r1-HTI-n def:invitations 12 . ds:r1-HTI-s def:share 26.7 . ds:r1-T-n def:invitations 45 .
  ds:r1-FRA-s def:share 44.4 . ds:r1-O-s def:share 11.1 } ;
INSERT DATA { ds:r1-HTI-n def:invitations 7 . ds:r1-HTI-s def:share 17.5 . ds:r1-T-n def:invitations 40 .
  ds:r1-FRA-s def:share 50.0 . ds:r1-O-s def:share 12.5 }
