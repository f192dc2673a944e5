# rule: ic-12 · Violation · have the same values for every dimension
INSERT DATA { ds:r2-HTI-n-copy a qb:Observation ; qb:dataSet <https://w3id.org/mifi-rdf/dataset/t> ; def:round round:r2 ;
  def:country country:HTI ; qb:measureType def:invitations ; def:invitations 15 ; def:cellStatus cs:published }
