# rule: dataset-metadata · Violation · has no title (dct:title) in « en »
DELETE DATA { <https://w3id.org/mifi-rdf/dataset/t> dct:title "Invitations by country"@en }
