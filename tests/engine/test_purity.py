"""The engine stays pure: no web or database layer, nothing from app.* outside app.engine."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "app" / "engine"
ALLOWED_ROOTS = {"pandas", "numpy", "pydantic", "yaml", "__future__"}


def imported_modules(path: Path) -> list[str]:
    modules: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.append(node.module)
    return modules


def test_engine_imports_only_stdlib_pandas_numpy_pydantic_yaml_and_itself() -> None:
    import sys

    offending = []
    for path in sorted(ENGINE.rglob("*.py")):
        for module in imported_modules(path):
            root = module.split(".")[0]
            if module == "app.engine" or module.startswith("app.engine."):
                continue
            if root in ALLOWED_ROOTS or root in sys.stdlib_module_names:
                continue
            offending.append(f"{path.relative_to(ENGINE.parent.parent)}: {module}")
    assert offending == []


def test_the_scan_would_catch_a_web_import(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text(
        "from fastapi import APIRouter\nimport sqlalchemy.orm\nfrom app.db import x\n"
    )
    assert imported_modules(sample) == ["fastapi", "sqlalchemy.orm", "app.db"]
