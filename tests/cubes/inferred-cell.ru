# rule: inferred-cell · Info · Cell transcribed by inference
INSERT DATA { ds:r2-HTI-n def:inference <https://w3id.org/mifi-rdf/code/inference/column-from-totals> ;
  rdfs:comment "Placed in this column because the total requires it."@en }
