"""The tests' own layout: no test module imports from another test module (shared steps
live in tests/steps.py, rows in tests/factories.py, the rest in tests/helpers.py)."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _test_modules() -> list[Path]:
    return sorted(p for p in TESTS.rglob("test_*.py") if "node_modules" not in p.parts)


def _imported_test_modules(path: Path) -> list[str]:
    """The test modules `path` imports from, as written."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            names = [base] + [f"{base}.{alias.name}".lstrip(".") for alias in node.names]
        else:
            continue
        found += [name for name in names if name.rsplit(".", 1)[-1].startswith("test_")]
    return sorted(set(found))


def test_no_test_module_imports_from_another():
    offenders = {
        str(path.relative_to(TESTS)): imported
        for path in _test_modules()
        if (imported := _imported_test_modules(path))
    }
    assert offenders == {}


def test_the_check_sees_every_kind_of_import(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "import tests.test_a\n"
        "from tests.server.api.test_b import helper\n"
        "from . import test_c\n"
        "from .test_d import thing\n"
        "from tests import steps, helpers\n"
        "from tests.factories import build_world\n",
        encoding="utf-8",
    )
    assert _imported_test_modules(sample) == [
        ".test_d",
        "test_c",
        "tests.server.api.test_b",
        "tests.test_a",
    ]
