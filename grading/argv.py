"""The suite's options on a command line, before pytest has loaded the plugins that declare them.

pytest chooses its rootdir and its first conftest files from the command line
*before* any plugin has said which options take a value, so in
``--rubric /elsewhere/rubric.toml`` the path counts as a test path: the rootdir
becomes ``/elsewhere``, the suite's conftest is never loaded and every suite option
is "unrecognized" (pytest's documented rootdir rule, pytest-dev/pytest#1435). The
``=`` form has no such ambiguity, so the ``mobygrade`` command rewrites the space
form of the suite's value options into it.
"""

from __future__ import annotations

from collections.abc import Sequence

# The suite's options that take a value (fixtures.settings and grading.options).
VALUE_OPTIONS = (
    "--lab-mode",
    "--checkpoint",
    "--lab-images",
    "--rubric",
    "--lang",
    "--grade-report",
    "--grade-min",
)


def join_values(args: Sequence[str], names: Sequence[str] = VALUE_OPTIONS) -> list[str]:
    """``--rubric PATH`` -> ``--rubric=PATH`` for the named options; anything else unchanged."""
    out: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            out.extend(args[index:])
            break
        if arg in names and index + 1 < len(args):
            out.append(f"{arg}={args[index + 1]}")
            index += 2
            continue
        out.append(arg)
        index += 1
    return out


def values(args: Sequence[str], name: str) -> list[str]:
    """Every value given to ``name`` (either form), in order."""
    found: list[str] = []
    for arg in join_values(args, (name,)):
        if arg == "--":
            break
        if arg.startswith(name + "="):
            found.append(arg[len(name) + 1 :])
    return found


def mentions(args: Sequence[str], name: str) -> bool:
    """Whether ``name`` is given, in either form."""
    return any(arg == name or arg.startswith(name + "=") for arg in args)
