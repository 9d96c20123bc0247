"""Text from containers (logs, command output) made safe for every report format.

A check message may quote a container's log, and logs carry terminal escapes
(``\\x1b[31m``) and other control characters. XML 1.0 forbids most of them (a
JUnit file holding one does not parse), a terminal would obey them and a
Markdown table would break on a line break. :func:`visible` keeps the text
readable: each C0 control character except tab, line feed and carriage return
is written in caret notation (``\\x1b`` -> ``^[``, ``\\x00`` -> ``^@``, ``\\x7f``
-> ``^?``), and the code points XML 1.0 forbids otherwise (``U+FFFE``,
``U+FFFF``, lone surrogates) become ``U+FFFD``. ``\\x1b[31mred`` reads ``^[[31mred``.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _caret(match: re.Match[str]) -> str:
    code = ord(match.group())
    return "^?" if code == 0x7F else "^" + chr(code + 0x40)


def visible(text: str) -> str:
    """``text`` with control characters in caret notation and XML-forbidden code points as U+FFFD."""
    return _NOT_XML.sub("\ufffd", _CONTROL.sub(_caret, text))


def no_surrogates(text: str) -> str:
    """``text`` without lone surrogates (U+FFFD instead): always encodable as UTF-8."""
    return re.sub("[\ud800-\udfff]", "\ufffd", text)
