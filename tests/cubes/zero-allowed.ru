# rule: none · a published zero under the threshold is no disclosure
INSERT DATA { ds:r2-CMR-n a qb:Observation ; qb:dataSet <https://w3id.org/mifi-rdf/dataset/t> ; def:round round:r2 ;
    def:country country:CMR ; qb:measureType def:invitations ; def:invitations 0 ; def:cellStatus cs:published .
  ds:r2-CMR-s a qb:Observation ; qb:dataSet <https://w3id.org/mifi-rdf/dataset/t> ; def:round round:r2 ;
    def:country country:CMR ; qb:measureType def:share ; def:share 0.0 ; def:cellStatus cs:published }
