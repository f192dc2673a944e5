"""Stage 3, validate: run the rules of `shapes/` (W3C Data Cube integrity constraints and the
mifi-rdf profile) over the cubes with a fast engine or pyshacl, and report what they find."""
