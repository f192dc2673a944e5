# rule: ic-14 · Violation · has no value for measure
# A cube without a measure dimension: every observation must carry every measure.
DELETE WHERE { <https://w3id.org/mifi-rdf/structure/s> qb:component <https://w3id.org/mifi-rdf/structure/s/measureType> } ;
DELETE WHERE { <https://w3id.org/mifi-rdf/structure/s/measureType> ?p ?o } ;
DELETE WHERE { ?obs qb:measureType ?m }
