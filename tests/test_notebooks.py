"""The notebooks: thin, parameterised, run end to end as the README says (papermill), each figure shown once."""

from __future__ import annotations

import re

import pytest

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: Smaller settings than a study would use, so that the suite stays fast; the code path is the same.
QUICK = {"n_boot": 50, "n_perm": 50, "ks": [3, 4], "stability_seeds": [1]}


def test_notebooks_are_numbered_in_reading_order():
    assert [p.name[:3] for p in NOTEBOOKS] == ["01_", "02_", "03_", "04_", "05_", "06_"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_thin_and_run_with_papermill_showing_each_figure_once(notebook, tmp_path):
    import nbformat
    import papermill

    book = nbformat.read(notebook, as_version=4)
    code = [c for c in book.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert not re.search(r"^\s*(import|from)\s", code[0].source, re.M)  # parameters only
    for cell in code:
        assert not cell.get("outputs") and not re.search(r"^\s*(def|class)\s", cell.source, re.M)
    declared = set(re.findall(r"^(\w+)\s*=", code[0].source, re.M))
    out = tmp_path / notebook.name
    papermill.execute_notebook(str(notebook), str(out), kernel_name="python3", cwd=str(notebook.parent),
                               parameters={k: v for k, v in QUICK.items() if k in declared}, progress_bar=False)
    ran = nbformat.read(out, as_version=4)
    cells = [c for c in ran.cells if c.cell_type == "code"]
    assert [o for c in cells for o in c.outputs if o.output_type == "error"] == []
    for cell in cells:
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        reprs = [o for o in cell.outputs if "image/png" not in o.get("data", {})
                 and str(o.get("data", {}).get("text/plain", "")).startswith("<Figure")]
        assert len(images) <= 1 and not reprs, cell.source  # shown once, not returned and shown again
        if "pt.plots." in cell.source:
            assert len(images) == 1, cell.source
