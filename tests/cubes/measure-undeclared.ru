# rule: measure-single · Violation · which its structure does not declare
INSERT DATA { def:days a qb:MeasureProperty ; rdfs:range <http://www.w3.org/2001/XMLSchema#integer> ; rdfs:label "jours"@fr, "days"@en .
  ds:r2-HTI-n def:days 3 }
