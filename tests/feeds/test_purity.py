"""app.feeds is pure: no web, database or other app layers."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import app.feeds

ALLOWED_LIBRARIES = {"numpy", "pandas", "pyarrow", "pydantic"}
ALLOWED_APP_MODULES = ("app.feeds", "app.engine.frames", "app.engine.feed_schema")


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_feeds_import_only_the_standard_library_data_libraries_and_engine_frames():
    folder = Path(app.feeds.__file__).parent
    paths = list(folder.rglob("*.py"))
    assert folder / "formats" / "nwea_map.py" in paths  # the §2b mappers are held to it too
    for path in paths:
        for module in imported_modules(path):
            top = module.split(".")[0]
            allowed = (
                top in sys.stdlib_module_names
                or top in ALLOWED_LIBRARIES
                or module.startswith(ALLOWED_APP_MODULES)
            )
            assert allowed, f"{path.name} imports {module}"
