# rule: ic-05 · Violation · has no code list
DELETE DATA { def:country qb:codeList <https://w3id.org/mifi-rdf/code/country> }
