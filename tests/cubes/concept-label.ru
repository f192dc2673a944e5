# rule: concept-labels · Violation · has no label (skos:prefLabel) in « en »
DELETE DATA { country:HTI skos:prefLabel "Haiti"@en }
