"""`mifi-rdf audit`: what the published tables reveal about their blanked cells.

constraints.py builds the linear system from the loaded tables and the code lists, bounds.py
solves it (HiGHS, through highspy), findings.py says what it means (disclosed cells with their
arithmetic, intervals too narrow, facts across letters), report.py renders it and gives the
attributes `export` and `build` put on each suppressed observation.
"""

from __future__ import annotations

from .findings import Audit, CellResult, run_audit

__all__ = ["Audit", "CellResult", "run_audit"]
