"""A whole class in one run: ``mobygrade class`` and ``mobygrade gradebook``.

One concern a module: :mod:`.roster` (the roster CSV), :mod:`.shard` (``--shard K/N``),
:mod:`.outcome` (one host's run -> graded / not graded / incomplete),
:mod:`.store` (the output directory: manifest, results, resume, merge),
:mod:`.scheduler` (processes, ``--jobs``, time bound, Ctrl-C, progress),
:mod:`.gradebook` (gradebook.csv, Moodle, Canvas), :mod:`.index` (index.html),
:mod:`.command` (the two commands).
"""
