"""Words and numbers in French and in English: the page texts, and numbers, dates and sizes as each
language writes them (« 1 876 », « 32,1 », « 4 décembre 2025 »; "1,876", "32.1", "4 December 2025").

The site is French first (the language of the letters) with an English twin of every page; a text
that exists in one language only (a caption printed by the ministry, a transcriber's note) keeps
its own language and is marked with it, so `Lit` carries the language of every string shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup, escape

from ..cube import date_en, date_fr
from ..model import Cell
from ..namespaces import DCAT, DCT, QB, RDF_TYPE, RDFS, SDMX_ATTR, SKOS

LANGS = ("fr", "en")
NBSP = "\u00a0"  # French groups digits with a space that never breaks a number over two lines


@dataclass(frozen=True)
class Lit:
    """A text and the language it is written in."""

    text: str
    lang: str

    def __str__(self) -> str:
        return self.text


def other(lang: str) -> str:
    return "en" if lang == "fr" else "fr"


def cell_note(cell: Cell, lang: str) -> Lit | None:
    """The transcriber's note on a cell, in `lang` (data/ gives every note in French and English).

    The one place the pages read a cell's note."""
    note = cell.note_fr if lang == "fr" else cell.note_en
    return Lit(note, lang) if note else None


def number(value: str, lang: str) -> str:
    """A canonical lexical value ("1874", "32.1") as the language writes it."""
    whole, dot, frac = value.partition(".")
    sep = NBSP if lang == "fr" else ","
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    out = sep.join(groups)
    if dot:
        out += ("," if lang == "fr" else ".") + frac
    return out


def integer(n: int, lang: str) -> str:
    return number(str(n), lang)


def date(value: dt.date | str, lang: str) -> str:
    """A date (or an ISO year, year-month or date string) in words."""
    if isinstance(value, str):
        parts = value.split("-")
        if len(parts) == 1:
            return value
        if len(parts) == 2:
            month = int(parts[1])
            return f"{MONTHS[lang][month - 1]} {parts[0]}"
        value = dt.date.fromisoformat(value)
    return date_fr(value) if lang == "fr" else date_en(value)


def short_date(iso: str, lang: str) -> str:
    """A date for an axis: « 4 déc. 2025 », "4 Dec 2025"."""
    d = dt.date.fromisoformat(iso)
    return f"{d.day} {SHORT_MONTHS[lang][d.month - 1]} {d.year}"


def size(n: int, lang: str) -> str:
    """A file size: bytes under 1 kB, then kB and MB with one decimal (« 17,2 ko », "17.2 kB")."""
    if n < 1000:
        return f"{integer(n, lang)}{NBSP}{'octets' if lang == 'fr' else 'bytes'}"
    scaled, units = (n / 1000, ("ko", "kB")) if n < 1_000_000 else (n / 1_000_000, ("Mo", "MB"))
    return f"{number(f'{scaled:.1f}', lang)}{NBSP}{units[0] if lang == 'fr' else units[1]}"


MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
}
SHORT_MONTHS = {
    "fr": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juill.", "août", "sept.", "oct.", "nov.", "déc."],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}

# Standard properties a code or term page shows, named in words (our own def/ terms have labels).
PROPERTY_WORDS: dict[str, tuple[str, str]] = {
    SKOS + "notation": ("notation", "notation"),
    SKOS + "exactMatch": ("équivalent exact", "exact match"),
    SKOS + "closeMatch": ("équivalent proche", "close match"),
    SKOS + "altLabel": ("autre libellé", "alternative label"),
    SKOS + "hiddenLabel": ("variante imprimée", "printed variant"),
    SKOS + "note": ("note", "note"),
    DCT + "source": ("source", "source"),
    DCT + "type": ("type", "type"),
    RDFS + "range": ("valeurs (rdfs:range)", "values (rdfs:range)"),
    RDFS + "domain": ("s'applique à (rdfs:domain)", "applies to (rdfs:domain)"),
    RDFS + "subPropertyOf": ("sous-propriété de", "sub-property of"),
    RDFS + "subClassOf": ("sous-classe de", "subclass of"),
    QB + "codeList": ("liste de codes", "code list"),
    QB + "concept": ("concept", "concept"),
    SDMX_ATTR + "unitMeasure": ("unité de mesure", "unit of measure"),
}
# Properties a page already shows in its own way (title, definition, dates, code list, kind).
SHOWN_ELSEWHERE = {RDF_TYPE, SKOS + "prefLabel", SKOS + "inScheme", SKOS + "topConceptOf", SKOS + "definition",
                   SKOS + "broader", RDFS + "label", RDFS + "comment", RDFS + "isDefinedBy", DCT + "date",
                   DCAT + "startDate", DCAT + "endDate"}

# A cell without a value shows a symbol (as statistical agencies print them) whose meaning is in
# the legend and on hover or focus; never a zero or a blank.
STATUS_SYMBOLS = {
    "confidential": "x",
    "suppressed-primary": "x",
    "suppressed-secondary": "x",
    "no-data": "..",
    "not-available": "?",
}

# The words of the pages. Keys are used by the templates as t.key.
WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "colon": "\u00a0: ",  # French puts a space before a colon; a no-break one
        "site": "Statistiques d'immigration du MIFI",
        "skip": "Aller au contenu",
        "home": "Accueil",
        "datasets": "Jeux de données",
        "series": "Séries",
        "vocabulary": "Vocabulaire",
        "other_language": "English",
        "other_language_name": "anglais",
        "letter": "Lettre",
        "letter_ref": "Décision d'accès N/Réf.",
        "letter_of": "du",
        "table": "Tableau",
        "unnumbered": "tableau non numéroté",
        "letter_text": "Texte de la lettre",
        "request": "Demande",
        "caption": "Titre imprimé",
        "notes_of_letter": "Notes du tableau",
        "source_line": "Source",
        "data_table": "Le tableau",
        "legend": "Légende",
        "notes": "Notes de transcription",
        "chart": "Graphique",
        "chart_data": "Données du graphique",
        "no_chart": "Aucune valeur publiée à représenter\u00a0: toutes les cellules de ce tableau sont sans valeur.",
        "category": "catégorie",
        "series_name": "série",
        "value": "valeur",
        "cite": "Citer ce jeu de données",
        "downloads": "Téléchargements",
        "format": "format",
        "file": "fichier",
        "media_type": "type de média",
        "size": "taille",
        "sparql": "Interroger avec SPARQL",
        "sparql_intro": "Cette requête renvoie les cellules de ce tableau, une ligne par cellule :",
        "sparql_run": "Exécuter la requête",
        "licence": "Licence",
        "identifier": "Identifiant",
        "total": "total",
        "inferred": "cellule transcrite par inférence",
        "observations": "Observations",
        "in_datasets": "Dans les jeux de données",
        "page": "Page",
        "pages": "Pages",
        "of": "sur",
        "rows": "lignes",
        "code": "Code",
        "scheme": "Liste de codes",
        "notation": "notation",
        "date": "Date",
        "broader": "Fait partie de",
        "narrower_used": "Codes de ce territoire présents dans les données",
        "definition": "Définition",
        "same_as": "Équivalent",
        "kind": "Nature",
        "properties": "Propriétés",
        "used_by": "Employé par",
        "term_dimension": "dimension",
        "term_measure": "mesure",
        "term_attribute": "attribut",
        "term_class": "classe",
        "term_property": "propriété",
        "term_datatype": "type de données",
        "members": "Tableaux de la série",
        "cube": "Le cube consolidé",
        "cube_intro": "Le tableau ci-dessus est le cube consolidé de la série ({n} cellules)\u00a0: chaque cellule de chaque "
                      "tableau une fois, copiée de la cellule de la lettre dont elle vient (prov:wasDerivedFrom). Là où une"
                      " lettre plus récente révise un chiffre, il donne le plus récent et garde l'ancien comme révision "
                      "(prov:wasRevisionOf).",
        "cube_residual": "« Autres » regroupe, dans chaque ronde, ce qui est sous le seuil de protection\u00a0: sa "
                         "composition change d'une ronde à l'autre. Chaque ronde garde sa cellule telle qu'imprimée\u00a0; "
                         "elles ne s'additionnent pas d'une ronde à l'autre.",
        "revisions": "Chiffres révisés",
        "revised_by": "révisé par",
        "no_revisions": "Aucune lettre n'en révise une autre dans cette série.",
        "previous": "Précédent dans la série",
        "next": "Suivant dans la série",
        "in_series": "Fait partie de la série",
        "files": "Fichiers pour les machines",
        "catalog_files": "Catalogue DCAT-AP (Turtle, JSON-LD, RDF/XML), description VoID, ontologie et listes de codes",
        "cells": "cellules",
        "threshold": "Seuil de protection",
        "threshold_none": "aucun seuil indiqué par la lettre",
        "method": "Méthode de protection",
        "not_plotted_residual": "« Autres » n'est pas tracé\u00a0: sa composition change d'une colonne à l'autre.",
        "top_series": "Les {n} séries les plus élevées sont tracées ; toutes sont dans le tableau.",
        "no_page_row": "aucune",
        "letters": "Lettres",
        "index_intro": ("Chaque tableau des lettres, cellule par cellule\u00a0: les nombres, un graphique, la façon de les citer "
                        "et de les réutiliser."),
        "codes": "Codes employés",
        "legend_value": "valeur imprimée dans la lettre",
        "legend_total": "ligne ou colonne de total",
        "legend_residual": "agrégat résiduel (« Autres »)",
        "tables_word": "tableaux",
        "absent": "pas dans ce tableau",
        "absent_long": "aucune cellule pour cette combinaison dans le tableau de la lettre",
        "absent_merged": "non listé dans ce tableau\u00a0: moins de {n}, compté dans « Autres »",
        "note": "note",
        "residual": "« Autres »",
        "chart_desc_bar": "Diagramme à barres ; ses données sont dans le tableau qui le suit.",
        "chart_desc_line": "Graphique linéaire dans le temps ; ses données sont dans le tableau qui le suit.",
        "transcribed": "Transcrit par mifi-rdf",
        "bounds": "Bornes des cellules caviardées",
        "bounds_intro": ("Ce que les chiffres publiés, dans ce tableau et dans les autres, laissent possible pour chaque "
                         "cellule caviardée\u00a0: la plus petite et la plus grande valeur compatibles avec tous ces chiffres "
                         "(des nombres entiers pour les comptes, dont découlent ceux des pourcentages\u00a0; programmation en "
                         "nombres entiers, commande mifi-rdf audit). Une cellule dont les deux bornes coïncident est "
                         "divulguée."),
        "lower": "au moins",
        "upper": "au plus",
        "unbounded": "non bornée",
        "disclosed": "divulguée : une seule valeur possible",
        "disclosed_short": "divulguée",
        "every_bound": "Pour chacune de ces cases",
        "remark": "remarque",
        "narrow": "plus étroite que la protection voulue : la règle seule dit de {floor} à {top}",
        "vocabulary_intro": ("Les classes et propriétés propres à mifi-rdf ; les autres viennent de vocabulaires standard (RDF "
                             "Data Cube, SKOS, DCAT, SDMX)."),
        "term": "terme",
        "by": "par",
        "property": "propriété",
        "formats": "Descriptions",
        "source_table": "Tableau source",
        "single_chart": "Une seule valeur publiée\u00a0: pas de graphique.",
        "crowded_chart": "Trop de lignes pour un graphique lisible\u00a0: les nombres sont dans le tableau.",
        "gaps": ("Pas de point pour une ronde ou un mois\u00a0: pas de cellule dans le tableau de cette date (un pays sous "
                 "le seuil y est compté dans « Autres »)."),
        # releases (render/changes.py, render/feed.py)
        "changes": "Changements",
        "changes_intro": ("Chaque publication de ce site est une version : ce qu'elle a ajouté, révisé ou retiré depuis la "
                          "précédente, la plus récente en premier."),
        "release": "Publication",
        "release_of": "du",
        "latest_release": "Dernière publication",
        "all_releases": "Toutes les publications",
        "feed": "Fil Atom des changements",
        "no_change": "Aucun changement",
        "first_release": "Première publication : tous les jeux de données y paraissent pour la première fois.",
        "previous_release": "Publication précédente",
        "next_release": "Publication suivante",
        "added": "Jeux de données ajoutés",
        "revised": "Chiffres révisés",
        "metadata": "Métadonnées modifiées",
        "withdrawn": "Jeux de données retirés",
        "cell": "Cellule",
        "before": "Avant",
        "after": "Après",
        "stated_by": "Chiffre donné par",
        "version": "version",
        "versions": "Versions",
        "versions_intro": ("Les fichiers de chaque version restent publiés à leur adresse versionnée : une citation d'un "
                           "fichier ancien mène toujours à lui."),
        "changed_in": "Changé par les publications",
        "withdrawn_title": "Jeu de données retiré",
        "withdrawn_on": "Retiré par la publication",
        "reason": "Motif",
        "replaced_by": "Remplacé par",
        "not_replaced": "Aucun jeu de données ne le remplace.",
        "withdrawn_files": "Ses fichiers non versionnés ne sont plus publiés ; ceux de ses versions le restent.",
        "count_added": "ajoutés",
        "count_revised": "révisés",
        "count_metadata": "métadonnées",
        "count_withdrawn": "retirés",
        "measure": "Mesure",
        "notes_of_version": "Notes de version",
        "feed_title": "changements",
    },
    "en": {
        "colon": ": ",
        "site": "MIFI immigration statistics",
        "skip": "Skip to content",
        "home": "Home",
        "datasets": "Datasets",
        "series": "Series",
        "vocabulary": "Vocabulary",
        "other_language": "Français",
        "other_language_name": "French",
        "letter": "Letter",
        "letter_ref": "Access decision ref.",
        "letter_of": "of",
        "table": "Table",
        "unnumbered": "unnumbered table",
        "letter_text": "Text of the letter",
        "request": "Request",
        "caption": "Printed caption",
        "notes_of_letter": "Notes of the table",
        "source_line": "Source",
        "data_table": "The table",
        "legend": "Legend",
        "notes": "Transcription notes",
        "chart": "Chart",
        "chart_data": "Data of the chart",
        "no_chart": "No published value to chart: every cell of this table is without a value.",
        "category": "category",
        "series_name": "series",
        "value": "value",
        "cite": "Cite this dataset",
        "downloads": "Downloads",
        "format": "format",
        "file": "file",
        "media_type": "media type",
        "size": "size",
        "sparql": "Query it with SPARQL",
        "sparql_intro": "This query returns the cells of this table, one row per cell:",
        "sparql_run": "Run the query",
        "licence": "Licence",
        "identifier": "Identifier",
        "total": "total",
        "inferred": "cell transcribed by inference",
        "observations": "Observations",
        "in_datasets": "In the datasets",
        "page": "Page",
        "pages": "Pages",
        "of": "of",
        "rows": "rows",
        "code": "Code",
        "scheme": "Code list",
        "notation": "notation",
        "date": "Date",
        "broader": "Part of",
        "narrower_used": "Codes of this territory in the data",
        "definition": "Definition",
        "same_as": "Same as",
        "kind": "Kind",
        "properties": "Properties",
        "used_by": "Used by",
        "term_dimension": "dimension",
        "term_measure": "measure",
        "term_attribute": "attribute",
        "term_class": "class",
        "term_property": "property",
        "term_datatype": "datatype",
        "members": "Tables of the series",
        "cube": "The consolidated cube",
        "cube_intro": "The table above is the series' consolidated cube ({n} cells): every cell of every table once, copied"
                      " from the letter's cell it comes from (prov:wasDerivedFrom). Where a later letter revises a figure, "
                      "it gives the latest and keeps the earlier one as a revision (prov:wasRevisionOf).",
        "cube_residual": "« Autres » (others) groups, in each round, what is under the suppression threshold: its "
                         "composition changes from round to round. Each round keeps its cell as printed; they are never added "
                         "up across rounds.",
        "revisions": "Revised figures",
        "revised_by": "revised by",
        "no_revisions": "No letter revises another in this series.",
        "previous": "Previous in the series",
        "next": "Next in the series",
        "in_series": "Part of the series",
        "files": "Files for machines",
        "catalog_files": "DCAT-AP catalog (Turtle, JSON-LD, RDF/XML), VoID description, ontology and code lists",
        "cells": "cells",
        "threshold": "Suppression threshold",
        "threshold_none": "no threshold stated by the letter",
        "method": "Suppression method",
        "not_plotted_residual": "« Autres » (others) is not plotted: what it holds changes from column to column.",
        "top_series": "The {n} highest series are plotted; all are in the table.",
        "no_page_row": "none",
        "letters": "Letters",
        "index_intro": "Every table of the letters, cell by cell: the numbers, a chart, how to cite and reuse them.",
        "codes": "Codes used",
        "legend_value": "value printed in the letter",
        "legend_total": "total row or column",
        "legend_residual": "residual aggregate (« Autres »)",
        "tables_word": "tables",
        "absent": "not in this table",
        "absent_long": "no cell for this combination in the letter's table",
        "absent_merged": "not listed in this table: fewer than {n}, counted in « Autres » (others)",
        "note": "note",
        "residual": "« Autres » (others)",
        "chart_desc_bar": "Bar chart; its data are in the table that follows it.",
        "chart_desc_line": "Line chart over time; its data are in the table that follows it.",
        "transcribed": "Transcribed by mifi-rdf",
        "bounds": "Bounds of the blanked cells",
        "bounds_intro": ("What the published figures, in this table and in the others, still allow for each blanked cell: "
                         "the smallest and largest values consistent with them all (whole numbers for counts, from which "
                         "those of percentages follow; integer programming, the mifi-rdf audit command). A cell whose two "
                         "bounds meet is disclosed."),
        "lower": "at least",
        "upper": "at most",
        "unbounded": "unbounded",
        "disclosed": "disclosed: a single value is possible",
        "disclosed_short": "disclosed",
        "every_bound": "For every one of these cells",
        "remark": "remark",
        "narrow": "narrower than the protection intends: the rule alone says {floor} to {top}",
        "vocabulary_intro": ("mifi-rdf's own classes and properties; the others come from standard vocabularies (RDF Data Cube, "
                             "SKOS, DCAT, SDMX)."),
        "term": "term",
        "by": "by",
        "property": "property",
        "formats": "Descriptions",
        "source_table": "Source table",
        "single_chart": "A single published value: no chart.",
        "crowded_chart": "Too many rows for a readable chart: the numbers are in the table.",
        "gaps": ("No point for a round or month: no cell in that date's table (a country under the threshold is "
                 "counted there in « Autres »)."),
        # releases (render/changes.py, render/feed.py)
        "changes": "Changes",
        "changes_intro": ("Each release of this site is a version: what it added, revised or withdrawn since the one before, "
                          "newest first."),
        "release": "Release",
        "release_of": "of",
        "latest_release": "Latest release",
        "all_releases": "All releases",
        "feed": "Atom feed of the changes",
        "no_change": "No change",
        "first_release": "First release: every dataset appears in it for the first time.",
        "previous_release": "Previous release",
        "next_release": "Next release",
        "added": "Datasets added",
        "revised": "Revised figures",
        "metadata": "Metadata changed",
        "withdrawn": "Datasets withdrawn",
        "cell": "Cell",
        "before": "Before",
        "after": "After",
        "stated_by": "Figure stated by",
        "version": "version",
        "versions": "Versions",
        "versions_intro": ("The files of every version stay published at their versioned address: a citation of an older "
                           "file still leads to it."),
        "changed_in": "Changed by the releases",
        "withdrawn_title": "Withdrawn dataset",
        "withdrawn_on": "Withdrawn by the release",
        "reason": "Reason",
        "replaced_by": "Replaced by",
        "not_replaced": "No dataset replaces it.",
        "withdrawn_files": "Its unversioned files are no longer published; those of its versions still are.",
        "count_added": "added",
        "count_revised": "revised",
        "count_metadata": "metadata",
        "count_withdrawn": "withdrawn",
        "measure": "Measure",
        "notes_of_version": "Version notes",
        "feed_title": "changes",
    },
}


def txt(x: Lit, lang: str) -> Markup:
    """A text in the page, marked with its language when it is not the page's."""
    if x.lang == lang:
        return escape(x.text)
    return Markup(f'<span lang="{x.lang}">{escape(x.text)}</span>')
