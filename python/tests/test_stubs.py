"""The type stubs (piiscan/__init__.pyi) describe what the module has, no more, no less."""

from __future__ import annotations

import ast
import inspect
import pathlib

import pytest

import piiscan

STUBS = pathlib.Path(piiscan.__file__).with_name("__init__.pyi")


def stubbed() -> dict:
    tree = ast.parse(STUBS.read_text())
    names = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            names[node.name] = {
                n.name for n in node.body if isinstance(n, ast.FunctionDef) and not n.name.startswith("_")
            }
        elif isinstance(node, ast.FunctionDef):
            names[node.name] = None
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if not node.target.id.startswith("_") or node.target.id == "__version__":
                names[node.target.id] = None
    return names


def test_the_stubs_ship_with_py_typed():
    assert STUBS.is_file()
    assert STUBS.with_name("py.typed").is_file()


def test_the_stubs_name_what_the_module_exports():
    assert set(stubbed()) == set(piiscan.__all__)


@pytest.mark.parametrize("name", ["Finding", "Report"])
def test_the_stubs_name_every_method(name):
    cls = getattr(piiscan, name)
    public = {n for n, _ in inspect.getmembers(cls) if not n.startswith("_")}
    assert stubbed()[name] == public
