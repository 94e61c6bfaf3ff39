"""The command line: the main job on the bundled corpus, and one-line errors."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from conftest import DATA
from policytext import cli


def test_summary_prints_counts_and_top_terms_per_province(tmp_path, capsys):
    code = cli.main(["summary", str(DATA), "--no-progress", "--cache-dir", str(tmp_path / "cache"),
                     "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert code == 0
    assert "5 documents loaded, 0 inputs skipped" in out
    lines = {line.split(":")[0]: line for line in out.splitlines() if line.startswith(("湖北省:", "四川省:", "山东省:"))}
    assert set(lines) == {"湖北省", "四川省", "山东省"}
    assert all(len(line.split(", ")) == 20 for line in lines.values())
    assert "工业互联网" in lines["四川省"] and "数字经济" in lines["山东省"]
    summary = pd.read_csv(tmp_path / "out" / "summary.csv")
    assert summary.columns.tolist() == ["province", "documents", "chars_raw", "chars", "units", "tokens"]
    assert summary["documents"].iloc[-1] == 5
    top = pd.read_csv(tmp_path / "out" / "top_terms.csv")
    assert top.groupby("province").size().tolist() == [20, 20, 20]
    account = pd.read_csv(tmp_path / "out" / "load_account.csv")
    assert (account["status"] == "loaded").sum() == 5


def test_bad_path_and_bad_option_give_one_line_and_a_nonzero_exit(tmp_path):
    for args in (["summary", str(tmp_path / "missing")], ["summary", str(DATA), "--by", "provnce"]):
        run = subprocess.run([sys.executable, "-m", "policytext.cli", *args], capture_output=True, text=True)
        assert run.returncode == 2, args
        assert run.stderr.count("\n") == 1 and run.stderr.startswith("policytext: error:"), run.stderr
        assert "Traceback" not in run.stderr
