"""The fixed strings of the grade summary and reports, in French and English.

Check titles and hints live in the catalog; these are the words around them.
``fr`` is the lab's language and the default.
"""

from __future__ import annotations

from collections.abc import Mapping

_STRINGS: dict[str, dict[str, str]] = {
    "heading": {"fr": "mobygrade : note", "en": "mobygrade: grade"},
    "score_line": {"fr": "Note : {score}/{max}", "en": "Score: {score}/{max}"},
    "category_line": {"fr": "{name} : {score}/{max}", "en": "{name}: {score}/{max}"},
    "min_reached": {
        "fr": "minimum {min}/{max} atteint",
        "en": "minimum {min}/{max} reached",
    },
    "min_missed": {
        "fr": "minimum {min}/{max} non atteint",
        "en": "minimum {min}/{max} not reached",
    },
    "partial_selection": {
        "fr": "sélection partielle : {selected} vérification(s) sur {available}, "
        "note calculée sur celles-ci seulement",
        "en": "partial selection: {selected} of {available} checks, "
        "graded out of these only",
    },
    "prereq_not_selected": {
        "fr": "prérequis non sélectionné(s), supposé(s) réussi(s) : {ids}",
        "en": "prerequisite(s) not selected, assumed to pass: {ids}",
    },
    "blocked_by": {"fr": "bloqué par {id}", "en": "blocked by {id}"},
    "suite_error": {
        "fr": "erreur de la suite de tests, pas de votre TP : merci de la signaler ({detail})",
        "en": "the suite's fault, not yours: please report it ({detail})",
    },
    "not_run": {
        "fr": "non exécutée : la session s'est arrêtée avant",
        "en": "not run: the session stopped before it",
    },
    "incomplete": {"fr": "Évaluation incomplète", "en": "Incomplete run"},
    "not_graded": {"fr": "Non noté", "en": "Not graded"},
    "min_not_graded": {
        "fr": "aucune note : corrigez la cause ci-dessus et relancez",
        "en": "no grade: fix the cause above and run again",
    },
    "incomplete_interrupted": {
        "fr": "session interrompue (Ctrl-C)",
        "en": "session interrupted (Ctrl-C)",
    },
    "incomplete_stopped": {
        "fr": "session arrêtée avant la fin ({detail})",
        "en": "session stopped early ({detail})",
    },
    "incomplete_not_run": {
        "fr": "{count} vérification(s) non exécutée(s)",
        "en": "{count} check(s) not run",
    },
    "not_run_ids": {"fr": "Non exécutées", "en": "Not run"},
    "hint": {"fr": "Indice", "en": "Hint"},
    "lab_step": {"fr": "Étape", "en": "Lab step"},
    "drift": {"fr": "Écart avec le sujet", "en": "Lab drift"},
    "fact": {"fr": "Info", "en": "Fact"},
    "informational": {"fr": "hors barème", "en": "not counted"},
    "fingerprint": {"fr": "Empreinte de la suite", "en": "Suite fingerprint"},
    "report_written": {"fr": "rapport {fmt} : {path}", "en": "{fmt} report: {path}"},
    "report_failed": {
        "fr": "mobygrade : rapport {fmt} non écrit dans {path} ({error})",
        "en": "mobygrade: {fmt} report not written to {path} ({error})",
    },
    "classroom_output": {
        "fr": "GitHub Classroom : résultat ajouté à $GITHUB_OUTPUT (sortie « result »)",
        "en": "GitHub Classroom: result appended to $GITHUB_OUTPUT (output `result`)",
    },
    "classroom_line": {
        "fr": "GitHub Classroom, dans le workflow : {line}",
        "en": "GitHub Classroom, in the workflow: {line}",
    },
    "mode": {"fr": "mode", "en": "mode"},
    "checkpoint": {"fr": "étape", "en": "checkpoint"},
    "col_status": {"fr": "Résultat", "en": "Result"},
    "col_points": {"fr": "Points", "en": "Points"},
    "col_check": {"fr": "Vérification", "en": "Check"},
    "col_details": {"fr": "Détails", "en": "Details"},
    "report_title": {"fr": "Résultats du TP", "en": "Lab results"},
}

MARKS: dict[str, dict[str, str]] = {
    "passed": {"fr": "réussi", "en": "passed"},
    "partial": {"fr": "partiel", "en": "partial"},
    "failed": {"fr": "échoué", "en": "failed"},
    "blocked": {"fr": "bloqué", "en": "blocked"},
    "error": {"fr": "erreur", "en": "error"},
    "skipped": {"fr": "ignoré", "en": "skipped"},
    "notrun": {"fr": "non exécuté", "en": "not run"},
}


def text(key: str, lang: str, **values: object) -> str:
    """The UI string ``key`` in ``lang`` (French when the language is unknown)."""
    entry = _STRINGS[key]
    return entry.get(lang, entry["fr"]).format(**values)


def mark(kind: str, lang: str) -> str:
    """The word for a check's mark: passed, partial, failed, blocked, error, skipped, notrun."""
    words: Mapping[str, str] = MARKS[kind]
    return words.get(lang, words["fr"])


def not_graded_line(reason: str, lang: str) -> str:
    """``Not graded: <reason>`` (``Non noté : …``): a host that could not be graded has no score."""
    return f"{text('not_graded', lang)}{colon(lang)}{reason}"


def incomplete_line(reason: str, lang: str) -> str:
    """``Incomplete run: <reason>`` (``Évaluation incomplète : …``)."""
    return f"{text('incomplete', lang)}{colon(lang)}{reason}"


def colon(lang: str) -> str:
    """``" : "`` in French (a space before the colon), ``": "`` in English."""
    return " : " if lang == "fr" else ": "


def points(value: float, lang: str) -> str:
    """``2``, ``1.5`` (en) or ``1,5`` (fr): never truncated, at most two decimals."""
    rounded = round(value, 2)
    if rounded == int(rounded):
        shown = str(int(rounded))
    else:
        shown = f"{rounded:.2f}".rstrip("0").rstrip(".")
    return shown.replace(".", ",") if lang == "fr" else shown
