"""mifi-rdf: statistical tables of MIFI access-to-information letters as RDF Data Cube."""

__version__ = "0.1.0"
