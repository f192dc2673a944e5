"""Stage 4, serialize: write the quad stream of `cube.py` as Turtle, N-Triples, TriG, RDF/XML or
compacted JSON-LD, atomically."""
