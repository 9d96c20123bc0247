"""The words of the HTML report, in French and English (see :mod:`grading.render_html`).

Kept apart from :mod:`grading.i18n` so the renderer stays a standalone module;
every key has both languages (``selftest/test_render_html.py`` checks that a
French page holds none of the English strings and the other way round).
"""

from __future__ import annotations

import math

LANGS = ("fr", "en")

TEXT: dict[str, dict[str, str]] = {
    "title": {"fr": "Résultats du TP", "en": "Lab results"},
    "skip": {"fr": "Aller aux vérifications", "en": "Skip to the checks"},
    "score_line": {"fr": "Note : {score}/{max}", "en": "Score: {score}/{max}"},
    "min_reached": {"fr": "minimum {min}/{max} atteint", "en": "minimum {min}/{max} reached"},
    "min_missed": {"fr": "minimum {min}/{max} non atteint",
                   "en": "minimum {min}/{max} not reached"},
    "run": {"fr": "Exécution", "en": "Run"},
    "mode": {"fr": "Mode", "en": "Mode"},
    "mode_provision": {"fr": "provision (la suite réalise le TP)",
                       "en": "provision (the suite performs the lab)"},
    "mode_inspect": {"fr": "inspection (la machine de l'étudiant)",
                     "en": "inspect (the student's host)"},
    "checkpoint": {"fr": "Étape notée", "en": "Checkpoint"},
    "stops_at": {"fr": "s'arrête à", "en": "stops at"},
    "engine": {"fr": "Moteur Docker", "en": "Docker engine"},
    "engine_version": {"fr": "version", "en": "version"},
    "endpoint": {"fr": "point d'accès", "en": "endpoint"},
    "unknown": {"fr": "inconnue", "en": "unknown"},
    "images": {"fr": "Images", "en": "Images"},
    "fingerprint": {"fr": "Empreinte de la suite", "en": "Suite fingerprint"},
    "started": {"fr": "Début", "en": "Started"},
    "duration": {"fr": "{s} s", "en": "{s} s"},
    "selection": {"fr": "sélection partielle : {selected} vérification(s) sur {available}",
                  "en": "partial selection: {selected} of {available} checks"},
    "incomplete": {"fr": "Rapport incomplet", "en": "Incomplete report"},
    "not_graded": {"fr": "Non noté", "en": "Not graded"},
    "pattern": {"fr": "Le motif de baleines", "en": "The whale pattern"},
    "pattern_alt": {"fr": "Motif de {app} : {n} baleine(s) à leurs coordonnées",
                    "en": "Pattern of {app}: {n} whale(s) at their coordinates"},
    "source": {"fr": "lu sur", "en": "read from"},
    "whale_count": {"fr": "{n} baleine(s) valide(s)", "en": "{n} valid whale(s)"},
    "no_answer": {"fr": "pas de réponse de l'application", "en": "no answer from the app"},
    "no_whale": {"fr": "aucune baleine", "en": "no whale"},
    "not_drawn": {"fr": "{n} baleine(s) non dessinée(s) (au-delà de {cap})",
                  "en": "{n} whale(s) not drawn (beyond {cap})"},
    "garbage": {"fr": "{n} entrée(s) invalide(s), non dessinée(s)",
                "en": "{n} invalid entry(ies), not drawn"},
    "and_more": {"fr": "… et {n} de plus", "en": "… and {n} more"},
    "same": {"fr": "Les deux applications montrent le même motif.",
             "en": "Both apps show the same pattern."},
    "differ": {"fr": "Les motifs diffèrent : {n} baleine(s).",
               "en": "The patterns differ: {n} whale(s)."},
    "only_in": {"fr": "seulement dans {app}", "en": "only in {app}"},
    "missing_here": {"fr": "absente ici (présente dans {app})",
                     "en": "missing here (present in {app})"},
    "legend_extra": {"fr": "cadre plein et « + » : baleine absente de l'autre application",
                     "en": "solid frame and “+”: whale the other app lacks"},
    "legend_missing": {"fr": "cadre pointillé et « ? » : baleine de l'autre application qui "
                             "manque ici",
                       "en": "dashed frame and “?”: the other app's whale missing here"},
    "topology": {"fr": "Réseaux, conteneurs et volumes", "en": "Networks, containers and volumes"},
    "topology_alt": {"fr": "Schéma : {nets} réseau(x), {ctrs} conteneur(s), {vols} volume(s)",
                     "en": "Diagram: {nets} network(s), {ctrs} container(s), {vols} volume(s)"},
    "topology_list": {"fr": "Le schéma en texte", "en": "The diagram as text"},
    "network": {"fr": "réseau", "en": "network"},
    "container": {"fr": "conteneur", "en": "container"},
    "volume": {"fr": "volume", "en": "volume"},
    "bind": {"fr": "dossier de l'hôte", "en": "host directory"},
    "mount": {"fr": "montage", "en": "mount"},
    "anonymous": {"fr": "anonyme", "en": "anonymous"},
    "no_network": {"fr": "sans réseau", "en": "no network"},
    "absent": {"fr": "absent", "en": "absent"},
    "absent_area": {"fr": "attendus, absents de la machine", "en": "expected, absent from the host"},
    "also_on": {"fr": "aussi sur {nets}", "en": "also on {nets}"},
    "aliases": {"fr": "alias", "en": "aliases"},
    "ports": {"fr": "ports publiés", "en": "published ports"},
    "not_shown": {"fr": "{n} objet(s) non dessiné(s)", "en": "{n} object(s) not drawn"},
    "ro": {"fr": "ro", "en": "ro"},
    "rw": {"fr": "rw", "en": "rw"},
    "flagged": {"fr": "Objets en cause dans une vérification échouée",
                "en": "Objects a failed check is about"},
    "no_topology": {"fr": "Pas d'observation de la machine dans ce rapport.",
                    "en": "No observation of the host in this report."},
    "checks": {"fr": "Vérifications", "en": "Checks"},
    "category": {"fr": "{name} : {score}/{max}", "en": "{name}: {score}/{max}"},
    "other": {"fr": "Autres", "en": "Other"},
    "col_status": {"fr": "Résultat", "en": "Result"},
    "col_points": {"fr": "Points", "en": "Points"},
    "col_check": {"fr": "Vérification", "en": "Check"},
    "col_details": {"fr": "Détails", "en": "Details"},
    "informational": {"fr": "hors barème", "en": "not counted"},
    "hint": {"fr": "Indice", "en": "Hint"},
    "lab_step": {"fr": "Étape du sujet", "en": "Lab step"},
    "drift": {"fr": "Écart avec le sujet", "en": "Lab drift"},
    "fact": {"fr": "Info", "en": "Fact"},
    "blocked_by": {"fr": "bloquée par {id}", "en": "blocked by {id}"},
    "about": {"fr": "Concerne", "en": "About"},
    "generated": {"fr": "Rapport HTML de mobygrade, autonome : lisible hors ligne et imprimable.",
                  "en": "mobygrade's HTML report, self-contained: readable offline and printable."},
}

MARKS: dict[str, dict[str, str]] = {
    "passed": {"fr": "réussi", "en": "passed"},
    "partial": {"fr": "partiel", "en": "partial"},
    "failed": {"fr": "échoué", "en": "failed"},
    "blocked": {"fr": "bloqué", "en": "blocked"},
    "error": {"fr": "erreur", "en": "error"},
    "skipped": {"fr": "ignoré", "en": "skipped"},
}


def lang_of(value: object) -> str:
    """``fr`` or ``en``; French (the lab's language) for anything else."""
    return value if isinstance(value, str) and value in LANGS else "fr"


def text(key: str, lang: str, **values: object) -> str:
    return TEXT[key][lang].format(**values)


def mark(kind: str, lang: str) -> str:
    return MARKS[kind][lang]


def points(value: object, lang: str) -> str:
    """``2``, ``1.5`` (en) or ``1,5`` (fr); ``?`` for what is not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return "?"
    rounded = round(float(value), 2)
    shown = str(int(rounded)) if rounded == int(rounded) else \
        f"{rounded:.2f}".rstrip("0").rstrip(".")
    return shown.replace(".", ",") if lang == "fr" else shown
