# rule: total-sum · Violation · does not agree with its parts along country: 2 of 2 parts have a value, summing to 44
DELETE DATA { ds:r2-HTI-n def:invitations 15 } ;
INSERT DATA { ds:r2-HTI-n def:invitations 14 }
