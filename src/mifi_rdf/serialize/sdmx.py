"""SDMX, the exchange standard of statistics agencies: SDMX-CSV 2.0 data, an SDMX-ML 2.1 structure
message (data structure definitions, code lists, concepts, dataflows) and SDMX-ML 2.1 generic data.

How the cubes map (docs/analyse.md states it for readers):
- each data structure definition of ontology/ is a DSD `DSD_<SLUG>`; each dataset a dataflow
  `DF_<ID>` (30952-t5 → DF_30952_T5) of agency MIFI_RDF, version 1.0;
- each dimension keeps its codes (« Autres » stays `_O`, totals `_T`) in a code list `CL_<LIST>`
  holding the codes the chosen datasets use, named in French and English; the measure is one more
  dimension, MEASURE (code list CL_MEASURE), the value the primary measure OBS_VALUE;
- a cell's status is given three ways, as attributes: SDMX's OBS_STATUS and CONF_STATUS (the
  codes ontology/ states for each def:cellStatus, def:obsStatus and def:confStatus: published A/F,
  confidential C, no data or lost M), and our own CELL_STATUS, which keeps what SDMX's lists do
  not tell apart (total, residual, no data, lost);
- INFERENCE, LOWER_BOUND, UPPER_BOUND (the audit's bounds of a blanked cell), NOTE_FR, NOTE_EN are
  text attributes. A cell without a value has no OBS_VALUE at all: suppressed is not zero.

The header's Prepared is the latest letter's date, not the clock: the same input gives the same bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from ..model import Table

AGENCY = "MIFI_RDF"
VERSION = "1.0"
MES = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
STR = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"
COM = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"
GEN = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic"
SDMX_CODE = "http://purl.org/linked-data/sdmx/2009/code#"
CONCEPT_SCHEME = "CS_MIFI_RDF"
TEXT_ATTRIBUTES = ("INFERENCE", "LOWER_BOUND", "UPPER_BOUND", "NOTE_FR", "NOTE_EN")
CHUNK = 10_000  # observations of SDMX-ML data written at a time
# concepts of our own (the dimensions' are their properties' labels)
CONCEPTS = {
    "MEASURE": ("mesure", "measure"),
    "OBS_VALUE": ("valeur de l'observation", "observation value"),
    "OBS_STATUS": ("statut de l'observation (SDMX)", "observation status (SDMX)"),
    "CONF_STATUS": ("statut de confidentialité (SDMX)", "confidentiality status (SDMX)"),
    "CELL_STATUS": ("statut de la cellule", "cell status"),
    "INFERENCE": ("inférences faites sur la cellule (codes séparés par « ; »)",
                  "inferences made on the cell (codes separated by ';')"),
    "LOWER_BOUND": ("borne inférieure d'une cellule masquée (audit)", "lower bound of a blanked cell (audit)"),
    "UPPER_BOUND": ("borne supérieure d'une cellule masquée (audit ; vide : non bornée)",
                    "upper bound of a blanked cell (audit; empty: unbounded)"),
    "NOTE_FR": ("note sur la cellule (en français)", "note on the cell (in French)"),
    "NOTE_EN": ("note sur la cellule (en anglais)", "note on the cell (in English)"),
}


def sdmx_id(text: str) -> str:
    """An SDMX IDType of our names: upper case, '-' → '_' (30952-t5 → 30952_T5)."""
    return text.upper().replace("-", "_")


def dataflow_id(table: Table) -> str:
    return "DF_" + sdmx_id(table.dataset_id)


def dsd_id(table: Table) -> str:
    return "DSD_" + sdmx_id(table.structure.slug)


def codelist_id(codelist_iri: str) -> str:
    return "CL_" + sdmx_id(codelist_iri.rstrip("/").rsplit("/", 1)[-1])


def structure_urn(table: Table) -> str:
    return f"{AGENCY}:{dataflow_id(table)}({VERSION})"


@dataclass
class Row:
    """One observation as SDMX sees it: key values, value, attributes (every one, "" when absent)."""

    key: list[str]
    value: str
    attributes: dict[str, str]


class Sdmx:
    """The SDMX view of some tables: what their structures, code lists and observations become."""

    def __init__(self, project, tables: Sequence[Table], facts, bounds) -> None:
        self.vocab, self.tables, self.facts, self.bounds = project.vocab, list(tables), facts, bounds
        dates = [letter.letter_date for letter in project.letters for t in letter.tables if t in self.tables]
        self.prepared = (max(dates).isoformat() if dates else "1970-01-01") + "T00:00:00"

    def label(self, iri: str, lang: str) -> str:
        return self.facts.label(iri, lang)

    @staticmethod
    def dimension_ids(table: Table) -> list[str]:
        return [sdmx_id(d.name) for d in table.structure.dimensions] + ["MEASURE"]

    def status_codes(self, status: str) -> tuple[str, str]:
        st = self.vocab.statuses[status]
        obs = st.obs.rsplit("-", 1)[-1] if st.obs else ""
        conf = st.conf.rsplit("-", 1)[-1] if st.conf else ""
        return obs, conf

    def rows(self, table: Table):
        codes = {name: self.status_codes(name) for name in self.vocab.statuses}
        for cell in table.cells:
            obs, conf = codes[cell.status]
            found = self.bounds((table.dataset_id, cell.codes, cell.measure)) if cell.value is None else None
            attributes = {"OBS_STATUS": obs, "CONF_STATUS": conf, "CELL_STATUS": cell.status,
                          "INFERENCE": ";".join(sorted(cell.inferences)),
                          "LOWER_BOUND": found[0] if found else "", "UPPER_BOUND": (found[1] or "") if found else "",
                          "NOTE_FR": cell.note_fr, "NOTE_EN": cell.note_en}
            yield Row([*cell.codes, cell.measure], cell.value or "", attributes)

    # ------------------------------------------------------------------ the code lists used

    def codelists(self) -> dict[str, list[tuple[str, str, str]]]:
        """CL id → [(code, French name, English name)], in the order first used, for every list of
        the chosen tables' dimensions, the measures and the statuses."""
        lists: dict[str, dict[str, tuple[str, str, str]]] = {}

        def add(cl: str, code: str, iri: str) -> None:
            codes = lists.setdefault(cl, {})
            if code not in codes:
                codes[code] = (code, self.label(iri, "fr"), self.label(iri, "en"))

        for table in self.tables:
            dims = table.structure.dimensions
            concepts = [self.vocab.codelists[d.codelist].codes for d in dims]
            ids = [codelist_id(d.codelist) for d in dims]
            for cell in table.cells:
                for cl, codes, code in zip(ids, concepts, cell.codes, strict=True):
                    add(cl, code, codes[code])
            for name, m in table.structure.measures.items():
                add("CL_MEASURE", name, m.iri)
        for name, st in self.vocab.statuses.items():
            add("CL_CELL_STATUS", name, st.iri)
            if st.obs:
                add("CL_OBS_STATUS", st.obs.rsplit("-", 1)[-1], st.obs)
            if st.conf:
                add("CL_CONF_STATUS", st.conf.rsplit("-", 1)[-1], st.conf)
        return {cl: list(codes.values()) for cl, codes in lists.items()}


# ---------------------------------------------------------------------- SDMX-CSV 2.0


def write_sdmx_csv(project, tables: Sequence[Table], facts, bounds, out: IO[bytes]) -> None:
    """SDMX-CSV 2.0.0: one row per observation; the columns of several structures side by side,
    empty where a structure has no such dimension (the format's rule for several dataflows)."""
    sdmx = Sdmx(project, tables, facts, bounds)
    dims: list[str] = []
    for table in tables:
        dims += [d for d in sdmx.dimension_ids(table) if d not in dims and d != "MEASURE"]
    dims.append("MEASURE")
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text, lineterminator="\r\n")
    attributes = ["OBS_STATUS", "CONF_STATUS", "CELL_STATUS", *TEXT_ATTRIBUTES]
    writer.writerow(["STRUCTURE", "STRUCTURE_ID", "ACTION", *dims, "OBS_VALUE", *attributes])
    for table in tables:
        ids = sdmx.dimension_ids(table)
        positions = [dims.index(d) for d in ids]
        urn = structure_urn(table)
        aligned = positions == list(range(len(dims)))
        for row in sdmx.rows(table):
            if aligned:
                key = row.key
            else:
                key = [""] * len(dims)
                for i, v in zip(positions, row.key, strict=True):
                    key[i] = v
            a = row.attributes
            writer.writerow(["dataflow", urn, "I", *key, row.value, *[a[name] for name in attributes]])
    text.flush()
    text.detach()


# ---------------------------------------------------------------------- SDMX-ML 2.1


def _names(fr: str, en: str, indent: str) -> str:
    out = []
    for lang, text in (("fr", fr), ("en", en)):
        if text:
            out.append(f'{indent}<com:Name xml:lang="{lang}">{escape(text)}</com:Name>\n')
    return "".join(out)


def _header(kind: str, sdmx: Sdmx, extra: str = "") -> str:
    return (f"  <mes:Header>\n    <mes:ID>{kind}</mes:ID>\n    <mes:Test>false</mes:Test>\n"
            f"    <mes:Prepared>{sdmx.prepared}</mes:Prepared>\n    <mes:Sender id=\"{AGENCY}\"/>\n{extra}  </mes:Header>\n")


def _ref(id_: str, cls: str, package: str, parent: str | None = None) -> str:
    if parent:
        return (f'<Ref id="{id_}" maintainableParentID="{parent}" maintainableParentVersion="{VERSION}" '
                f'agencyID="{AGENCY}" package="{package}" class="{cls}"/>')
    return f'<Ref id="{id_}" version="{VERSION}" agencyID="{AGENCY}" package="{package}" class="{cls}"/>'


def write_sdmx_ml(project, tables: Sequence[Table], facts, bounds, out: IO[bytes]) -> None:
    """The SDMX-ML 2.1 structure message of the tables: dataflows, code lists, concepts, DSDs."""
    sdmx = Sdmx(project, tables, facts, bounds)
    w: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>\n',
                    f'<mes:Structure xmlns:mes="{MES}" xmlns:str="{STR}" xmlns:com="{COM}">\n',
                    _header("MIFI_RDF_STRUCTURES", sdmx), "  <mes:Structures>\n", "    <str:Dataflows>\n"]
    for t in tables:
        w.append(f'      <str:Dataflow id="{dataflow_id(t)}" agencyID="{AGENCY}" version="{VERSION}" isFinal="true">\n')
        w.append(_names(t.title_fr, t.title_en, "        "))
        w.append(f"        <str:Structure>{_ref(dsd_id(t), 'DataStructure', 'datastructure')}</str:Structure>\n")
        w.append("      </str:Dataflow>\n")
    w.append("    </str:Dataflows>\n    <str:Codelists>\n")
    list_names = {"CL_MEASURE": ("mesures", "measures"), "CL_CELL_STATUS": ("statuts de cellule", "cell statuses"),
                  "CL_OBS_STATUS": ("statut de l'observation (SDMX)", "observation status (SDMX)"),
                  "CL_CONF_STATUS": ("statut de confidentialité (SDMX)", "confidentiality status (SDMX)")}
    for t in tables:
        for d in t.structure.dimensions:
            list_names.setdefault(codelist_id(d.codelist), (sdmx.label(d.codelist, "fr") or d.name,
                                                           sdmx.label(d.codelist, "en") or d.name))
    for cl, codes in sdmx.codelists().items():
        fr, en = list_names[cl]
        w.append(f'      <str:Codelist id="{cl}" agencyID="{AGENCY}" version="{VERSION}" isFinal="true">\n')
        w.append(_names(fr, en, "        "))
        for code, name_fr, name_en in codes:
            w.append(f"        <str:Code id={quoteattr(code)}>\n")
            w.append(_names(name_fr, name_en, "          ") or _names(code, "", "          "))
            w.append("        </str:Code>\n")
        w.append("      </str:Codelist>\n")
    w.append("    </str:Codelists>\n    <str:Concepts>\n")
    w.append(f'      <str:ConceptScheme id="{CONCEPT_SCHEME}" agencyID="{AGENCY}" version="{VERSION}" isFinal="true">\n')
    w.append(_names("concepts de mifi-rdf", "mifi-rdf concepts", "        "))
    concepts: dict[str, tuple[str, str]] = {}
    for t in tables:
        for d in t.structure.dimensions:
            concepts.setdefault(sdmx_id(d.name), (sdmx.label(d.iri, "fr") or d.name, sdmx.label(d.iri, "en") or d.name))
    concepts.update(CONCEPTS)
    for cid, (fr, en) in concepts.items():
        w.append(f'        <str:Concept id="{cid}">\n{_names(fr, en, "          ")}        </str:Concept>\n')
    w.append("      </str:ConceptScheme>\n    </str:Concepts>\n    <str:DataStructures>\n")
    seen: set[str] = set()
    for t in tables:
        if dsd_id(t) in seen:
            continue
        seen.add(dsd_id(t))
        w.append(_dsd(sdmx, t))
    w.append("    </str:DataStructures>\n  </mes:Structures>\n</mes:Structure>\n")
    out.write("".join(w).encode("utf-8"))


def _concept(cid: str) -> str:
    return f"<str:ConceptIdentity>{_ref(cid, 'Concept', 'conceptscheme', CONCEPT_SCHEME)}</str:ConceptIdentity>"


def _enumeration(cl: str) -> str:
    ref = _ref(cl, "Codelist", "codelist")
    return f"<str:LocalRepresentation><str:Enumeration>{ref}</str:Enumeration></str:LocalRepresentation>"


def _dsd(sdmx: Sdmx, t: Table) -> str:
    s = t.structure
    w = [f'      <str:DataStructure id="{dsd_id(t)}" agencyID="{AGENCY}" version="{VERSION}" isFinal="true">\n',
         _names(sdmx.label(s.iri, "fr") or s.slug, sdmx.label(s.iri, "en") or s.slug, "        "),
         "        <str:DataStructureComponents>\n          <str:DimensionList id=\"DimensionDescriptor\">\n"]
    lists = [codelist_id(d.codelist) for d in s.dimensions] + ["CL_MEASURE"]
    for n, (did, cl) in enumerate(zip(sdmx.dimension_ids(t), lists, strict=True), 1):
        w.append(f'            <str:Dimension id="{did}" position="{n}">{_concept(did)}{_enumeration(cl)}</str:Dimension>\n')
    w.append("          </str:DimensionList>\n          <str:AttributeList id=\"AttributeDescriptor\">\n")
    coded = {"OBS_STATUS": "CL_OBS_STATUS", "CONF_STATUS": "CL_CONF_STATUS", "CELL_STATUS": "CL_CELL_STATUS"}
    for aid in [*coded, *TEXT_ATTRIBUTES]:
        status = "Mandatory" if aid == "CELL_STATUS" else "Conditional"
        representation = (_enumeration(coded[aid]) if aid in coded
                          else '<str:LocalRepresentation><str:TextFormat textType="String"/></str:LocalRepresentation>')
        w.append(f'            <str:Attribute id="{aid}" assignmentStatus="{status}">{_concept(aid)}{representation}'
                 f"<str:AttributeRelationship><str:PrimaryMeasure><Ref id=\"OBS_VALUE\"/></str:PrimaryMeasure>"
                 f"</str:AttributeRelationship></str:Attribute>\n")
    w.append("          </str:AttributeList>\n          <str:MeasureList id=\"MeasureDescriptor\">\n")
    number = "Integer" if all(m.datatype.endswith("#integer") for m in s.measures.values()) else "Decimal"
    w.append(f'            <str:PrimaryMeasure id="OBS_VALUE">{_concept("OBS_VALUE")}<str:LocalRepresentation>'
             f'<str:TextFormat textType="{number}"/></str:LocalRepresentation></str:PrimaryMeasure>\n')
    w.append("          </str:MeasureList>\n        </str:DataStructureComponents>\n      </str:DataStructure>\n")
    return "".join(w)


def write_sdmx_data(project, tables: Sequence[Table], facts, bounds, out: IO[bytes]) -> None:
    """SDMX-ML 2.1 generic data: one data set per dataflow, every observation with its full key.

    What `Sdmx.rows` gives each observation, written straight from the cells: the markup of a code
    (`<gen:Value id=… value=…/>`), of a status's three attributes and of a set of inferences is made
    once per distinct one, not per observation, and the text goes out CHUNK observations at a time
    (never a whole table held: a million observations are 360 MB of markup)."""
    sdmx = Sdmx(project, tables, facts, bounds)
    structures = "".join(
        f'    <mes:Structure structureID="{dataflow_id(t)}" dimensionAtObservation="AllDimensions">'
        f'<com:StructureUsage><Ref id="{dataflow_id(t)}" version="{VERSION}" agencyID="{AGENCY}"/></com:StructureUsage>'
        f"</mes:Structure>\n" for t in tables)
    out.write(('<?xml version="1.0" encoding="UTF-8"?>\n'
               f'<mes:GenericData xmlns:mes="{MES}" xmlns:gen="{GEN}" xmlns:com="{COM}">\n'
               + _header("MIFI_RDF_DATA", sdmx, structures)).encode("utf-8"))

    def value(id_: str, v: str) -> str:
        return f"<gen:Value id=\"{id_}\" value={quoteattr(v)}/>"

    statuses = {}  # status -> its OBS_STATUS, CONF_STATUS and CELL_STATUS, those not empty
    for name in sdmx.vocab.statuses:
        obs, conf = sdmx.status_codes(name)
        statuses[name] = "".join(value(a, v) for a, v in (("OBS_STATUS", obs), ("CONF_STATUS", conf), ("CELL_STATUS", name))
                                 if v)
    inferences: dict[tuple[str, ...], str] = {}
    for t in tables:
        ids = sdmx.dimension_ids(t)
        keys: list[dict[str, str]] = [{} for _ in ids]  # per dimension (and the measure): code -> its markup
        dataset = t.dataset_id
        w = [f'  <mes:DataSet structureRef="{dataflow_id(t)}">\n']
        for n, cell in enumerate(t.cells, 1):
            key = []
            for d, code in enumerate((*cell.codes, cell.measure)):
                markup = keys[d].get(code)
                if markup is None:
                    markup = keys[d][code] = value(ids[d], code)
                key.append(markup)
            attrs = statuses[cell.status]
            if cell.inferences:
                found = inferences.get(cell.inferences)
                if found is None:
                    joined = ";".join(sorted(cell.inferences))
                    found = inferences[cell.inferences] = value("INFERENCE", joined) if joined else ""
                attrs += found
            if cell.value is None:
                found = sdmx.bounds((dataset, cell.codes, cell.measure))
                if found:
                    if found[0]:
                        attrs += value("LOWER_BOUND", found[0])
                    if found[1]:
                        attrs += value("UPPER_BOUND", found[1])
            obs = f'<gen:ObsValue value="{cell.value}"/>' if cell.value else ""
            if cell.note_fr:
                attrs += value("NOTE_FR", cell.note_fr)
            if cell.note_en:
                attrs += value("NOTE_EN", cell.note_en)
            w.append(f"    <gen:Obs><gen:ObsKey>{''.join(key)}</gen:ObsKey>{obs}"
                     f"<gen:Attributes>{attrs}</gen:Attributes></gen:Obs>\n")
            if n % CHUNK == 0:
                out.write("".join(w).encode("utf-8"))
                w.clear()
        w.append("  </mes:DataSet>\n")
        out.write("".join(w).encode("utf-8"))
    out.write(b"</mes:GenericData>\n")
