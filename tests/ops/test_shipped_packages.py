"""Test and demo support stays out of the packages that ship (issue 14)."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHIPPED = ("harvester", "db", "nlp", "dashboard", "ketamine_tracker")


def _files(package: str) -> list[Path]:
    return [p for p in (REPO / package).rglob("*") if p.is_file() and "__pycache__" not in p.parts]


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", SHIPPED)
def test_no_shipped_file_is_named_fake_or_synthetic(package):
    offending = [str(p.relative_to(REPO)) for p in _files(package) if p.name.lower().startswith(("fake", "synthetic"))]
    assert offending == []


@pytest.mark.parametrize("package", SHIPPED)
def test_no_shipped_module_imports_the_tests(package):
    offending = {
        f"{p.relative_to(REPO)}: {name}"
        for p in _files(package) if p.suffix == ".py"
        for name in _imported_modules(p)
        if name.split(".")[0] in ("tests", "support", "conftest")
    }
    assert offending == set()


def test_the_package_list_matches_what_setuptools_ships():
    import tomllib

    include = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    assert sorted(pattern.rstrip("*") for pattern in include) == sorted(SHIPPED)
