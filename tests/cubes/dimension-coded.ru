# rule: dimension-coded · Violation · has no code list
DELETE DATA { def:country qb:codeList <https://w3id.org/mifi-rdf/code/country> ; rdfs:range skos:Concept } ;
INSERT DATA { def:country rdfs:range rdfs:Resource }
