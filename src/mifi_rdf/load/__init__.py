"""Stage 1, load: read `ontology/` (vocabulary, structures, code lists) and `data/` (letters and
their tables) into the in-memory model of `model.py`, checking every cell before anything is written."""
