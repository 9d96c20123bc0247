"""Root conftest: loads mobygrade's plugins for this checkout only.

Loading through ``pytest_plugins`` (not a ``pytest11`` entry point) keeps other
projects that share the Python environment unaffected.
"""

pytest_plugins = [
    "fixtures.plugin",
    "grading.plugin",
]
