"""French versions of the English notes that the reference CSV files carry.

The reference files (sources/reference/) note their exceptions in English; every note published
on a code must read in French too. The notes follow a handful of patterns, so each pattern has its
French template here, and a note that matches none stops `mifi-rdf codelists` with its text rather
than publishing an English-only note: whoever adds a note to a reference file adds its French here.
"""

from __future__ import annotations

import re

# (English note, as a full-match pattern) -> French template using the pattern's groups.
PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"SGC 2021 name differs from MAMH name"), "Le nom de la CGT 2021 diffère du nom du MAMH"),
    (re.compile(r"MAMH divrec \((\d+)\) differs from SGC 2021 census division \((\d+)\)"),
     r"La division de recensement du MAMH (divrec \1) diffère de celle de la CGT 2021 (\2)"),
    (re.compile(r"MRC is part of census division \(CD also contains: municipalities outside any MRC\)"),
     "La MRC fait partie d'une division de recensement (la DR contient aussi des municipalités hors MRC)"),
    (re.compile(r"MRC is part of census division \(CD also contains: ([\d, ]+)\)"),
     r"La MRC fait partie d'une division de recensement (la DR contient aussi : \1)"),
    (re.compile(r"municipalities spread over several census divisions"),
     "Municipalités réparties entre plusieurs divisions de recensement"),
    (re.compile(r"SGC 2016 census-division name"), "nom de la division de recensement dans la CGT 2016"),
    (re.compile(r"MAMH code changed from (\d+) to (\d+) after transfer from MRC (.+) to MRC (.+) "
                r"\((\d+) present in the (\d+) MAMH snapshot\); SGC 2021 still has it as (\d+) in CD (\d+)"),
     r"Code du MAMH passé de \1 à \2 après le transfert de la MRC \3 à la MRC \4 (\5 figure dans "
     r"l'instantané du MAMH de \6) ; la CGT 2021 la garde sous le code \7, dans la DR \8"),
    (re.compile(r"Constituted (\d{4}-\d{2}-\d{2}) \(MAMH mdatcons\) from (.+) \(SGC 2021: (\d+)\) and (.+) "
                r"\(SGC 2021: (\d+)\); no SGC 2021 code"),
     r"Constituée le \1 (mdatcons du MAMH) à partir de \2 (CGT 2021 : \3) et de \4 (CGT 2021 : \5) ; "
     r"pas de code dans la CGT 2021"),
    (re.compile(r"ASCII apostrophe; EU NAL prefLabel uses typographic apostrophe \((.+)\)"),
     r"Apostrophe ASCII ; le prefLabel de la table d'autorité de l'UE emploie l'apostrophe typographique (\1)"),
    (re.compile(r"misspelling of '(.+)' in a source table; manual alias"),
     r"coquille pour « \1 » dans un tableau source ; alias ajouté à la main"),
    (re.compile(r"variant spelling without diaeresis; also equals the English ISO name "
                r"\(pycountry\.countries\.lookup works\)"),
     "variante sans tréma ; c'est aussi le nom anglais ISO (pycountry.countries.lookup la trouve)"),
    (re.compile(r"fr 'name' is \"(.+)\"; matches fr common_name only"),
     r"le « name » français de pycountry est « \1 » ; seul le « common_name » français correspond"),
    (re.compile(r"no pycountry French match; manual mapping to the Democratic Republic of the Congo "
                r"\(pycountry fr: '(.+)'\); not CG \((.+)\)"),
     r"aucune correspondance française dans pycountry ; rattaché à la main à la République démocratique "
     r"du Congo (pycountry fr : « \1 ») ; pas CG (\2)"),
]


class UntranslatedNote(ValueError):
    """A reference note has no French version: publishing it would leave it English only."""


def french(note: str, where: str) -> str:
    """The French version of one English reference note; `where` names its file and row."""
    for pattern, template in PATTERNS:
        m = pattern.fullmatch(note)
        if m:
            return m.expand(template)
    raise UntranslatedNote(f"{where}: no French version of the note {note!r}: add its pattern to "
                           f"mifi_rdf/codelists_fr.py so that the code's note reads in French and English")


def hidden_label_note(label: str, note_fr: str) -> str:
    """French twin of codelists' 'Hidden label "…": note'."""
    return f"Libellé caché « {label} » : {note_fr}"


def alternative_label_note(label: str, note_fr: str) -> str:
    """French twin of codelists' 'Alternative label "…": note'."""
    return f"Libellé alternatif « {label} » : {note_fr}"
