# rule: measure-datatype · Violation · is not a non-negative integer
DELETE DATA { ds:r1-O-n def:invitations 5 } ;
INSERT DATA { ds:r1-O-n def:invitations -5 }
