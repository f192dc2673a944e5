# rule: dataset-metadata · Violation · suppression threshold
DELETE DATA { <https://w3id.org/mifi-rdf/dataset/t> def:suppressionThreshold 10 }
