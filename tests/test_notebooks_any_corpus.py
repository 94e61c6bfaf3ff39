"""The notebooks hold on any corpus: one document per group (the shape of 31 provincial documents, one each), a
second grouping with a single value, list parameters as papermill's command line passes them, another lexicon,
and the city reports (marked ``corpus``).

Where a notebook cannot answer (effects, keyness or rate ratios with one document per group), it says why, in the
library's words, and leaves the figure out rather than showing empty axes.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import DATA, ROOT
from test_notebooks import NOTEBOOKS, QUICK

CITY = ROOT.parent / "shared" / "corpora" / "city-gov-reports-2024"
BY_NAME = {p.name[:2]: p for p in NOTEBOOKS}


def copy_corpus(source: Path, meta: pd.DataFrame, folder: Path) -> Path:
    """The texts of ``meta`` copied from ``source`` into ``folder`` (flat), with ``meta`` as its metadata.csv."""
    folder.mkdir(parents=True)
    meta = meta.copy()
    for name in meta["file"]:
        (folder / Path(name).name).write_bytes((source / name).read_bytes())
    meta["file"] = [Path(name).name for name in meta["file"]]
    meta.to_csv(folder / "metadata.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def one_per_province(tmp_path_factory) -> Path:
    """The bundled texts, each given a province of its own and the provincial level: 31 provinces' documents,
    one each, in small (the provinces are made up for the test; the texts are the bundled ones)."""
    meta = pd.read_csv(DATA / "metadata.csv", dtype=str, keep_default_na=False)
    meta["province"] = ["湖北省", "湖南省", "四川省", "山东省", "江西省"]
    meta["level"] = "province"
    folder = copy_corpus(DATA, meta, tmp_path_factory.mktemp("one-per-province") / "corpus")
    assert pd.read_csv(folder / "metadata.csv")["province"].is_unique
    return folder


def declared(notebook: Path) -> set[str]:
    import nbformat

    first = next(c for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code")
    return set(re.findall(r"^(\w+)\s*=", first.source, re.MULTILINE))


def run(notebook: Path, out: Path, **parameters):
    """Run a notebook with papermill (QUICK settings where it takes them); the executed notebook."""
    import nbformat
    import papermill

    given = {k: v for k, v in {**QUICK, **parameters}.items() if k in declared(notebook)}
    papermill.execute_notebook(str(notebook), str(out), kernel_name="python3", cwd=str(notebook.parent),
                               parameters=given, progress_bar=False)
    return nbformat.read(out, as_version=4)


def code_cells(ran):
    return [c for c in ran.cells if c.cell_type == "code"]


def printed(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def images(cell) -> list:
    return [o for o in cell.outputs if "image/png" in o.get("data", {})]


def shown(cell) -> str:
    """The text and HTML a cell displays."""
    return "".join(str(o.get("data", {}).get(kind, "")) for o in cell.outputs for kind in ("text/plain", "text/html"))


def cell_of(ran, start: str):
    found = [c for c in code_cells(ran) if c.source.startswith(start)]
    assert len(found) == 1, start
    return found[0]


def assert_ran_and_explained(ran):
    """No errors; each figure shown once; a figure left out only by a cell that checks first (``if ...``), after
    the notebook has printed why."""
    cells = code_cells(ran)
    assert [o for c in cells for o in c.outputs if o.output_type == "error"] == []
    said = False
    for cell in cells:
        reprs = [o for o in cell.outputs if "image/png" not in o.get("data", {})
                 and str(o.get("data", {}).get("text/plain", "")).startswith("<Figure")]
        assert len(images(cell)) <= 1 and not reprs, cell.source
        if "pt.plots." in cell.source and not images(cell):
            assert cell.source.startswith("if ") and said, cell.source
        said = said or bool(printed(cell).strip())


# --- one document per group, from the bundled corpus (always run) --------------------------------------------

@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_runs_on_one_document_per_province(notebook, one_per_province, tmp_path):
    ran = run(notebook, tmp_path / notebook.name, corpus=str(one_per_province))
    assert_ran_and_explained(ran)
    number = notebook.name[:2]
    if number == "03":
        key = cell_of(ran, "compared = pt.drop_place_names(")
        assert "one document" in shown(key)  # keyness's note: what one document per group allows
        rates = cell_of(ran, "rates = pt.compare_rates(")
        assert "NaN" in shown(rates) and "document" in shown(rates).split("note", 1)[1]  # none, and the reason
        assert len(images(cell_of(ran, "fig = pt.plots.rate_ratios("))) == 1  # the figure that says why
    elif number == "04":
        assert re.search(r"^k = \d+, ", printed(cell_of(ran, "k_fit, k_reason = pt.chosen_k(")), re.MULTILINE)
        effects = cell_of(ran, "try:\n    effects = pt.estimate_effects(")
        # 5 documents for 5 parameters: the library's reason, not an error
        assert re.search(r"cannot be estimated: \S.{10,}", printed(effects))
        assert cell_of(ran, "if effects is not None:").outputs == []
    elif number == "05":
        assert "the second comparison is skipped" in printed(cell_of(ran, "second = pt.group_sizes("))
        for start in ("if compare_second:\n    level_emph", "if compare_second:\n    display("):
            assert cell_of(ran, start).outputs == []


def test_list_parameters_work_as_papermill_passes_them_on_the_command_line(tmp_path):
    notebook = BY_NAME["04"]
    out = tmp_path / notebook.name
    subprocess.run([sys.executable, "-m", "papermill", str(notebook), str(out), "--cwd", str(notebook.parent),
                    "-k", "python3", "--no-progress-bar", "-p", "ks", "[3, 4]", "-y", "stability_seeds: [1]",
                    "-r", "n_boot", "50"], check=True, capture_output=True, text=True)
    import nbformat

    ran = nbformat.read(out, as_version=4)
    assert_ran_and_explained(ran)
    injected = next(c for c in code_cells(ran) if "injected-parameters" in c.metadata.get("tags", []))
    # -p passed the list as a string, -r the number as a string, -y a real list
    assert 'ks = "[3, 4]"' in injected.source and 'n_boot = "50"' in injected.source
    assert "stability_seeds = [1]" in injected.source
    sweep = shown(cell_of(ran, 'content = vocabulary == "content"'))
    # one row per k asked
    assert re.search(r"^0\s+3\s", sweep, re.MULTILINE) and re.search(r"^1\s+4\s", sweep, re.MULTILINE)


def test_notebook_03_takes_a_lexicon_by_path(tmp_path):
    import policytext as pt

    lexicon = pt.data_path("emphasis", "policy_instruments.tsv")
    assert lexicon.is_file()
    ran = run(BY_NAME["03"], tmp_path / "03.ipynb", lexicon=str(lexicon))
    assert_ran_and_explained(ran)
    for start in ("emph = pt.emphasis(", "drivers = pt.emphasis_terms(", "rates = pt.compare_rates("):
        text = shown(cell_of(ran, start))
        assert "supply" in text and "infrastructure_networks" not in text, start


@pytest.mark.parametrize(("value", "kind", "expected"), [
    ("[8, 12]", [int], [8, 12]), ([8, 12], [int], [8, 12]), ("8, 12", [int], [8, 12]), (8, [int], [8]),
    ("50", int, 50), (50, int, 50), ("0.8", float, 0.8), ("[a, b]", [str], ["a", "b"]),
    ("12", (int, str), 12), ("paragraph", (int, str), "paragraph"), (2024, str, "2024"),
])
def test_notebook_parameters_take_papermills_strings_and_real_values(value, kind, expected):
    from policytext.report.config import notebook_parameter

    got = notebook_parameter(value, kind, name="x")
    assert got == expected and type(got) is type(expected)


def test_a_notebook_parameter_that_is_no_list_says_how_to_pass_one():
    from policytext.report.config import notebook_parameter

    with pytest.raises(ValueError, match=r'ks: expected a list of integers.*-p ks "\[8, 12\]"'):
        notebook_parameter("[8, twelve]", [int], name="ks")
    with pytest.raises(ValueError, match="k: needs a value"):
        notebook_parameter(None, int, name="k")
    assert notebook_parameter("None", int, name="k", optional=True) is None


# --- the city reports (marked corpus) --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def city_shapes(tmp_path_factory) -> dict[str, Path]:
    if not (CITY / "metadata.csv").is_file():
        pytest.skip("the city corpus is not beside this checkout")
    meta = pd.read_csv(CITY / "metadata.csv", dtype=str, keep_default_na=False)
    first = meta[meta["province"] != ""].groupby("province", sort=False).head(1)
    return {"whole": CITY, "one_per_province": copy_corpus(CITY, first, tmp_path_factory.mktemp("city") / "c")}


@pytest.mark.corpus
@pytest.mark.parametrize("shape", ["one_per_province", "whole"])
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_runs_on_the_city_reports(notebook, shape, city_shapes, tmp_path):
    ran = run(notebook, tmp_path / notebook.name, corpus=str(city_shapes[shape]), n_jobs=2)
    assert_ran_and_explained(ran)
    if notebook.name.startswith("05"):  # levels city, province (and national): the second comparison is made
        levels = pd.read_csv(city_shapes[shape] / "metadata.csv", dtype=str)["level"].nunique()
        assert levels > 1
        assert len(images(cell_of(ran, "if compare_second:\n    level_emph"))) == 1
