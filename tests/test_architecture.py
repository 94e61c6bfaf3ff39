"""The package's layout: imports flow one way (import-linter's contracts in pyproject.toml), no import cycle,
and no module takes another's private names."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "src" / "policytext"


def test_the_import_contracts_hold():
    # in a process of its own: import-linter sets up logging and reads pyproject.toml from the current folder
    code = ("import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(config_filename='pyproject.toml', no_cache=True, no_logo=True))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "6 kept, 0 broken" in proc.stdout


def test_there_is_no_import_cycle_not_even_inside_functions():
    import grimp
    import networkx as nx

    graph = grimp.build_graph("policytext", exclude_type_checking_imports=True, cache_dir=None)
    edges = nx.DiGraph()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if imported.startswith("policytext"):
                edges.add_edge(module, imported)
    cycles = [c for c in nx.strongly_connected_components(edges) if len(c) > 1]
    assert cycles == []


def test_the_checks_see_imports_inside_functions_and_would_catch_a_cycle(tmp_path, monkeypatch):
    # the same checks on a little package of two modules that import each other inside functions
    import grimp
    import networkx as nx

    pkg = tmp_path / "cyclic"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from cyclic import b\n    return b\n")
    (pkg / "b.py").write_text("def g():\n    from cyclic.a import f\n    return f\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("cyclic", cache_dir=None)
    edges = nx.DiGraph([(m, i) for m in graph.modules for i in graph.find_modules_directly_imported_by(m)])
    assert [c for c in nx.strongly_connected_components(edges) if len(c) > 1] == [{"cyclic.a", "cyclic.b"}]
    assert private_imports(pkg, "cyclic") == []


def private_imports(root: Path, name: str) -> list[tuple[str, str]]:
    """Every place where a module of the package takes a private name (``_x``) of another module."""
    found = []
    for path in sorted(root.rglob("*.py")):
        module = ".".join((name, *path.relative_to(root).with_suffix("").parts)).removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == name:
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append((module, f"from {node.module} import {alias.name}"))
                    aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.ImportFrom) and node.level:
                found.append((module, f"a relative import (from {'.' * node.level}{node.module or ''})"))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == name:
                        aliases[alias.asname or alias.name] = alias.name
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and node.attr.startswith("_") and not node.attr.startswith("__")
                    and aliases[node.value.id] != module):
                found.append((module, f"{node.value.id}.{node.attr}"))
    return found


def test_no_module_takes_another_modules_private_names():
    assert private_imports(PACKAGE, "policytext") == []


def test_the_private_name_check_would_catch_one(tmp_path):
    pkg = tmp_path / "leaky"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("_secret = 1\n")
    (pkg / "b.py").write_text("from leaky.a import _secret\nfrom leaky import a\nx = a._secret\n")
    assert [where for _, where in private_imports(pkg, "leaky")] == ["from leaky.a import _secret", "a._secret"]


def test_the_top_level_holds_at_most_a_dozen_modules_beside_its_stage_packages():
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    packages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    print(f"\ntop-level modules: {modules}\npackages: {packages}")
    assert len(modules) <= 12
    assert {"io", "text", "compare", "topics", "reuse", "report"} <= set(packages)


@pytest.mark.parametrize("library, allowed", [("jieba", {"policytext.text.segmentation"}),
                                              ("rjieba", {"policytext.text.segmentation"})])
def test_only_the_segmentation_module_names_a_segmenter(library, allowed):
    import grimp

    graph = grimp.build_graph("policytext", include_external_packages=True, cache_dir=None)
    assert graph.find_modules_that_directly_import(library) <= allowed
