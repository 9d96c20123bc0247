"""The ``mobygrade`` command's help, in French and English.

The checkpoints are quoted from the handout (``docker-3-reseaux-volumes.md``): the
sentence each stop is graded at.
"""

from __future__ import annotations

from collections.abc import Mapping

from grading.context import PARTS

# checkpoint -> lang -> where the lab stops (the handout's own words, in French).
CHECKPOINT_STOPS: dict[str, dict[str, str]] = {
    "networks": {
        "fr": "avant « Arrêtons nos conteneurs `docker container stop moby-counter2 redis2`. »",
        "en": "before « Arrêtons nos conteneurs `docker container stop moby-counter2 redis2`. »",
    },
    "volumes": {
        "fr": "à « Visitez la deuxième application: vous devriez voir également le motif "
        "de moby apparaître. »",
        "en": "at « Visitez la deuxième application: vous devriez voir également le motif "
        "de moby apparaître. »",
    },
    "cleanup": {
        "fr": "après « Lancez trois `prune` pour les conteneurs d'abord puis les réseaux "
        "et les volumes. »",
        "en": "after « Lancez trois `prune` pour les conteneurs d'abord puis les réseaux "
        "et les volumes. »",
    },
}

_TEXT = {
    "fr": {
        "usage": "usage : mobygrade COMMANDE [OPTIONS...]",
        "intro": "Lance les vérifications notées du TP « Docker 3 – réseaux et volumes », "
        "depuis n'importe quel répertoire.",
        "commands": "commandes :",
        "checkpoints": "étapes (les arrêts du TP) :",
        "options": "options (transmises à pytest avec celles de la suite ; chemins relatifs "
        "au répertoire courant) :",
        "pytest": "toute option de pytest : -k EXPR, -q, -v, -x, --collect-only, --tb=long …",
        "exit": "code de sortie : 0 note minimale atteinte, 1 en dessous, 2 interrompu, "
        "3 moteur ou images inutilisables, 4 erreur d'usage, 5 rien de collecté",
        "suite": "suite :",
        "auto": "l'étape la plus avancée que l'hôte montre (la correction dit laquelle et pourquoi)",
    },
    "en": {
        "usage": "usage: mobygrade COMMAND [OPTIONS...]",
        "intro": "Runs the graded checks of the lab « Docker 3 – réseaux et volumes » "
        "from any directory.",
        "commands": "commands:",
        "checkpoints": "checkpoints (the lab's stops):",
        "options": "options (passed to pytest with the suite's own; relative paths are "
        "from the current directory):",
        "pytest": "any pytest option: -k EXPR, -q, -v, -x, --collect-only, --tb=long ...",
        "exit": "exit status: 0 minimum grade reached, 1 below it, 2 interrupted, "
        "3 engine or images unusable, 4 usage error, 5 nothing collected",
        "suite": "suite:",
        "auto": "the furthest stop the host shows (the run says which and why)",
    },
}

_SUITE_OPTIONS = (
    "--lab-images=hub|local|auto   --lab-keep (provision)",
    "--rubric PATH   --lang fr|en   --grade-report FORMAT:PATH   --grade-min N|P%",
)


def render(lang: str, commands: Mapping[str, tuple[str, Mapping[str, str]]], suite: str) -> str:
    """The whole help; ``commands`` maps a name to (its arguments, its summary by language)."""
    text = _TEXT.get(lang, _TEXT["en"])
    lines = [text["usage"], "", text["intro"], "", text["commands"]]
    for name, (arguments, summary) in commands.items():
        lines.append(f"  {name} {arguments}".rstrip())
        lines.append(f"      {summary.get(lang, summary['en'])}")
    lines += ["", text["checkpoints"]]
    for part in PARTS:
        lines.append(f"  {part:<9} {CHECKPOINT_STOPS[part][lang if lang in _TEXT else 'en']}")
    lines.append(f"  {'auto':<9} {text['auto']}")
    lines += ["", text["options"]]
    lines += [f"  {line}" for line in _SUITE_OPTIONS]
    lines += [f"  {text['pytest']}", "", text["exit"], f"{text['suite']} {suite}"]
    return "\n".join(lines) + "\n"
