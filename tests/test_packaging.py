"""The project's promises about itself: dependencies, README commands, CI, bundled data."""

from __future__ import annotations

import re
import subprocess
import tomllib

import pytest

from conftest import DATA, ROOT, SEEDS


def _name(spec: str) -> str:
    return re.split(r"[<>=!~\[ ]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _conda_dependencies() -> dict[str, str]:
    deps, inside = {}, False
    for line in (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        if re.match(r"^\S", line):
            inside = line.startswith("dependencies:")
        if not inside:
            continue
        m = re.match(r"^\s+- (?!pip:)(\S.*)$", line)
        if m and not m.group(1).startswith("-e "):
            spec = m.group(1).replace(" ", "")
            deps[_name(spec)] = spec
    return deps


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pip_specs = project["dependencies"] + project["optional-dependencies"]["test"]
    expected = {_name(s): s.replace(" ", "") for s in pip_specs}
    conda = _conda_dependencies()
    conda.pop("python"), conda.pop("pip")
    assert conda == expected


def test_required_stack_is_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {_name(s) for s in project["dependencies"]}
    assert {"jupyterlab", "jieba", "scikit-learn", "gensim", "seaborn", "pandas", "numpy", "matplotlib",
            "opencc", "stopwordsiso", "tqdm"} <= names
    assert "opencc-python-reimplemented" not in names  # it clashes with opencc (same import name)


def _readme_command(marker: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(rf"<!-- {marker} -->\s*```\s*\n(.+?)\n```", text)
    assert m, marker
    return m.group(1)


def test_readme_shows_the_two_commands_and_ci_runs_the_test_one():
    main, test = _readme_command("main command"), _readme_command("test command")
    assert main.startswith("python3 -m venv .venv") and main.endswith("policytext report data -o report")
    assert test.startswith("python3 -m venv .venv") and "pytest" in test
    extracted = subprocess.run(
        ["bash", "-c", "sed -n '/^cmd=/p' .ci/run"], cwd=ROOT, capture_output=True, text=True).stdout
    assert "README.md" in extracted
    awk = re.search(r"cmd=\$\((awk .+ README\.md)\)", (ROOT / ".ci" / "run").read_text(encoding="utf-8")).group(1)
    assert subprocess.run(["bash", "-c", awk], cwd=ROOT, capture_output=True, text=True).stdout.strip() == test


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the shared seed folder is not beside this checkout")
def test_bundled_raw_texts_are_the_seeds_byte_for_byte():
    seeds = sorted(p.name for p in SEEDS.glob("*.txt"))
    assert seeds == sorted(p.name for p in (DATA / "raw").iterdir())
    for name in seeds:
        assert (DATA / "raw" / name).read_bytes() == (SEEDS / name).read_bytes(), name


def test_package_data_files_ship_with_the_package():
    from policytext.io import resources

    for parts in [("lexicon", "policy_terms.txt"), ("lexicon", "places.csv"),
                  ("stopwords", "policy_boilerplate.txt"), ("cleaning", "chrome_rules.tsv")]:
        path = resources.data_path(*parts)
        assert path.is_file() and path.stat().st_size > 0, parts
        assert not path.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r" not in path.read_bytes(), parts


def test_every_export_is_what_it_says_even_after_every_module_is_imported():
    import importlib

    import policytext as pt

    for module in pt._MODULES.values():
        importlib.import_module(f"policytext.{module}")
    for name, module in pt._WHERE.items():
        assert getattr(pt, name) is getattr(importlib.import_module(f"policytext.{module}"), name), name
    assert callable(pt.keyness) and callable(pt.emphasis)


def test_the_readme_lexicon_example_runs_and_prints_what_it_says(capsys):
    import re

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- lexicon example -->\n```python\n(.*?)```", text, re.S).group(1)
    exec(compile(block, "README lexicon example", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    said = [line.split("#", 1)[1].strip() for line in block.splitlines() if "print(" in line]
    assert printed == said
