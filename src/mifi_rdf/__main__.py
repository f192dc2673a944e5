"""`python -m mifi_rdf` runs the CLI."""

from .cli import main

main(prog_name="mifi-rdf")
