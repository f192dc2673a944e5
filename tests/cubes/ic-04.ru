# rule: ic-04 · Violation · has no rdfs:range
DELETE DATA { def:country rdfs:range skos:Concept }
