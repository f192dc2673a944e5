# rule: total-sum · Violation · is not the sum of its 2 parts
DELETE DATA { ds:r2-HTI-n def:invitations 15 } ;
INSERT DATA { ds:r2-HTI-n def:invitations 14 }
