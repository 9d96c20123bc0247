"""``mobygrade``: the suite's graded checks from any directory.

    mobygrade provision [OPTIONS...]
    mobygrade inspect [CHECKPOINT|auto] [OPTIONS...]
    mobygrade class ROSTER --checkpoint C --out DIR [--jobs N] [--resume] [--shard K/N] ...
    mobygrade gradebook DIR... --out DIR

Every option is pytest's or the suite's and is passed through; the exit status is
pytest's (README, "Exit status"). A command is one entry of :data:`COMMANDS`: add
one there (a name, its arguments, its summary in French and English, and a
function from the remaining arguments to an exit status).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from grading import argv, cli_help, launch, suite
from grading.context import LANGS, MODES
from grading.messages import SaidError, says
from grading.options import default_lang

USAGE_ERROR = 4
HELP = ("-h", "--help")


class CommandUsageError(SaidError):
    """A mistake on the command line: one sentence (``text(lang)``; ``str()`` English)."""


@dataclass(frozen=True)
class Command:
    arguments: str
    summary: dict[str, str]
    run: Callable[[Sequence[str]], int]


def provision(args: Sequence[str]) -> int:
    return launch.run("provision", args)


def inspect(args: Sequence[str]) -> int:
    """``inspect CHECKPOINT ...`` is ``--checkpoint=CHECKPOINT``; the plugin validates it."""
    rest = list(args)
    if rest and not rest[0].startswith("-"):
        if argv.mentions(rest[1:], "--checkpoint"):
            raise CommandUsageError(says("usage.checkpoint_twice", first=rest[0]))
        rest = [f"--checkpoint={rest[0]}", *rest[1:]]
    return launch.run("inspect", rest)


def doctor(args: Sequence[str]) -> int:
    from fixtures.doctor import main as doctor_main

    return doctor_main(list(args))


def klass(args: Sequence[str]) -> int:
    from grading.classrun.command import run_class

    return run_class(args)


def gradebook(args: Sequence[str]) -> int:
    from grading.classrun.command import run_gradebook

    return run_gradebook(args)


COMMANDS: dict[str, Command] = {
    "provision": Command(
        "[OPTIONS...]",
        {
            "fr": "la suite réalise tout le TP sur le moteur que désigne DOCKER_HOST et le note",
            "en": "the suite performs the whole lab on the engine DOCKER_HOST names and grades it",
        },
        provision,
    ),
    "inspect": Command(
        "[CHECKPOINT|auto] [OPTIONS...]",
        {
            "fr": "note ce qu'un étudiant a construit, à une étape du TP, sans rien modifier",
            "en": "grades what a student built, at one of the lab's stops, changing nothing",
        },
        inspect,
    ),
    "doctor": Command(
        "[--lang fr|en]",
        {
            "fr": "ce qu'une correction trouverait sur ce moteur, chaque problème avec sa solution",
            "en": "what grading would find on this engine, each problem with its fix",
        },
        doctor,
    ),
    "class": Command(
        "ROSTER --checkpoint C --out DIR [--jobs N] [--resume] [--shard K/N] [--timeout S] "
        "[OPTIONS...]",
        {
            "fr": "note toute une classe (un moteur par ligne du fichier ROSTER) : un carnet de "
            "notes (CSV, Moodle, Canvas), un rapport par étudiant et DIR/index.html ; "
            "code 0 toutes notées, 1 une incomplète, 2 interrompu, 3 une machine non notée",
            "en": "grades a whole class (one engine per ROSTER line): a gradebook (CSV, Moodle, "
            "Canvas), each student's reports and DIR/index.html; exit 0 all graded, "
            "1 some incomplete, 2 interrupted, 3 some host not graded",
        },
        klass,
    ),
    "gradebook": Command(
        "DIR... --out DIR [--assignment NAME] [--lang fr|en]",
        {
            "fr": "réunit les répertoires de `class --shard K/N` en un seul carnet et une page",
            "en": "merges the directories of `class --shard K/N` into one gradebook and page",
        },
        gradebook,
    ),
}


def help_lang(args: Sequence[str]) -> str:
    """``--lang`` when given and known, else the locale (as the grading plugin decides)."""
    given = argv.values(args, "--lang")
    if given and given[-1].strip().lower() in LANGS:
        return given[-1].strip().lower()
    return default_lang(os.environ)


def _command_names() -> dict[str, str]:
    """The commands as a sentence names them: ``commands`` (all but the last) and ``last``."""
    names = list(COMMANDS)
    return {"commands": ", ".join(names[:-1]), "last": names[-1]}


def help_text(args: Sequence[str]) -> str:
    try:
        where = str(suite.locate().root)
    except suite.SuiteNotFound as exc:
        where = str(exc)
    table = {name: (cmd.arguments, cmd.summary) for name, cmd in COMMANDS.items()}
    return cli_help.render(help_lang(args), table, where)


def dispatch(args: Sequence[str]) -> int:
    if not args or args[0] in ("help", *HELP):
        if not args:
            raise CommandUsageError(says("usage.no_command", **_command_names()))
        print(help_text(args), end="")
        return 0
    name, rest = args[0], list(args[1:])
    command = COMMANDS.get(name)
    if command is None:
        raise CommandUsageError(says("usage.unknown_command", name=repr(name),
                                     **_command_names()))
    if any(arg in HELP for arg in rest):
        print(help_text(rest), end="")
        return 0
    other = [mode for mode in argv.values(rest, "--lab-mode") if mode != name]
    if name in MODES and other:
        raise CommandUsageError(says("usage.mode_contradicts", mode=other[0]))
    return command.run(rest)


def main(args: Sequence[str] | None = None) -> int:
    given = sys.argv[1:] if args is None else list(args)
    try:
        return dispatch(given)
    except CommandUsageError as exc:  # in the language the run would have spoken
        print(f"mobygrade: {exc.text(help_lang(given))}", file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:  # `mobygrade ... | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
