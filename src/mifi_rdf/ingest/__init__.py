"""Turn a new MIFI letter's text into curated data (`mifi-rdf ingest`), with a person deciding only
what a machine must not guess.

One module per job: text (lines, tables, notes), numbers (French figures), dates, labels (label →
code), headers (header words → dimensions and measures, by the vocabulary's labels), tables (raw table →
cells of a structure, checks), placement (rows with lost blank cells), letter (the letter's metadata), codes
(new rounds and periods), structures (a new table shape's structure), write (files, atomically), report,
sheet (CSV/XLSX input), run (the whole command).
"""
