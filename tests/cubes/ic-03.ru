# rule: ic-03 · Violation · declares no measure
DELETE WHERE { <https://w3id.org/mifi-rdf/structure/s> qb:component ?c . ?c qb:measure ?m }
