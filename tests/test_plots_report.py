"""Plots, the report, the notebooks and the command line: what a researcher opens."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

import policytext as pt  # noqa: E402
from conftest import DATA, ROOT  # noqa: E402
from policytext import cli, loading, plots, report  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def draw_without_missing_glyphs(fig):
    """Draw the figure; fail if matplotlib reports a glyph missing from its fonts."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png")
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert missing == []


@pytest.fixture(scope="module")
def model(tokens):
    return pt.fit_lda(tokens, k=3, random_state=0)


def test_every_plot_renders_chinese(tokens, model):
    freq = pt.term_frequency(tokens, by="province")
    figures = [
        plots.top_terms(pt.top_terms(freq, n=10)),
        plots.keyness(pt.keyness(tokens, by="province")),
        plots.similarity(pt.similarity(tokens, by="province", matrix=True)),
        plots.emphasis_heatmap(pt.emphasis(tokens, n_boot=20)),
        plots.emphasis_intervals(pt.emphasis(tokens, n_boot=20)),
        plots.topic_prevalence(pt.topic_prevalence(model, n_boot=20), labels=model.labels()),
        plots.coherence(pd.DataFrame({"k": [2, 3], "c_npmi": [0.1, 0.2], "u_mass": [-2, -1], "heldout_loglik": [-5, -4],
                                      "perplexity": [90, 80], "exclusivity": [8, 9], "stability": [0.9, 0.8],
                                      "recommended": [False, True], "at_edge": [False, True]})),
        plots.topic_effects(pt.estimate_effects(model, n_draws=5), labels=model.labels()),
        plots.topic_terms(model.topic_terms(n=8)),
        plots.wordclouds(freq),
    ]
    for fig in figures:
        assert isinstance(fig, matplotlib.figure.Figure)
        draw_without_missing_glyphs(fig)
        # Chinese text was set in the CJK font
        texts = [t for ax in fig.axes for t in ax.get_yticklabels() + [ax.title] if re.search("[\u4e00-\u9fff]", t.get_text())]
        assert all(t.get_fontname() == plots.cjk_font()[0] for t in texts)


def test_the_wordcloud_draws_chinese_in_the_cjk_font(tokens):
    from PIL import ImageFont

    from PIL import Image, ImageDraw

    font = ImageFont.truetype(plots.cjk_font()[1], 40)

    def ink(ch):
        image = Image.new("L", (60, 60), 0)
        ImageDraw.Draw(image).text((5, 5), ch, font=font, fill=255)
        return np.asarray(image)

    # a CJK font draws 数 and 经 as two different glyphs, not the same empty box
    assert ink("数").sum() > 0 and not np.array_equal(ink("数"), ink("经"))
    cloud = plots.wordclouds(pt.term_frequency(tokens, by="province"))
    assert cloud.axes[0].images and cloud.axes[0].images[0].get_array().std() > 0


def synthetic_groups(n_groups):
    rng = np.random.default_rng(1)
    words = np.array(["工业互联网", "数字经济", "5G", "平台", "人才", "数据中心", "网络安全", "绿色低碳", "专项资金", "产业链"])
    provinces = [p for p in pt.read_places().query("city == ''")["province"]][:n_groups]
    rows = [(f"{p}-d", u, i, words[rng.integers(0, len(words))], p) for p in provinces for u in range(6) for i in range(15)]
    return pd.DataFrame(rows, columns=["doc_id", "para_id", "position", "token", "province"])


@pytest.mark.parametrize("n_groups", [2, 31])
def test_plots_stay_readable_for_2_and_31_groups(n_groups):
    toks = synthetic_groups(n_groups)
    figs = [plots.top_terms(pt.top_terms(pt.term_frequency(toks, by="province"), n=8)),
            plots.emphasis_intervals(pt.emphasis(toks, n_boot=20))]
    for fig in figs:
        draw_without_missing_glyphs(fig)
        renderer = fig.canvas.get_renderer()
        for ax in fig.axes:
            if not ax.get_visible():
                continue
            boxes = [t.get_window_extent(renderer) for t in ax.get_yticklabels() if t.get_text()]
            for a, b in zip(boxes, boxes[1:]):
                assert not a.overlaps(b), "tick labels overlap"
    heat = plots.emphasis_heatmap(pt.emphasis(toks, n_boot=0))
    draw_without_missing_glyphs(heat)
    renderer = heat.canvas.get_renderer()
    labels = [t for t in heat.axes[0].get_xticklabels() if t.get_text()]
    assert len(labels) == n_groups  # every group is labelled ...
    boxes = [t.get_window_extent(renderer) for t in labels]
    assert not any(a.overlaps(b) for a, b in zip(boxes, boxes[1:]))  # ... and the labels do not collide


def test_the_report_writes_every_part(tmp_path):
    out = tmp_path / "report"
    config = report.ReportConfig(ks=(2, 3, 4), n_boot=50, stability_seeds=(1,), sweep_stability_seeds=(1,),
                                 n_perm=50, n_draws=5, cache_dir=tmp_path / "cache", progress=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        path = report.build_report(DATA, out, config)
    assert not [w for w in caught if "missing from font" in str(w.message)]
    page = path.read_text(encoding="utf-8")
    for section, _ in report.SECTIONS:
        assert f"id='{section}'" in page
    assert page.count("data:image/png;base64,") >= 10
    assert not re.search(r"""(src|href)=['"]https?:""", page)
    tables = {p.stem: pd.read_csv(p) for p in (out / "tables").glob("*.csv")}
    assert {"corpus_summary", "load_account", "clean_account", "top_terms", "tfidf", "keyness", "similarity",
            "emphasis", "emphasis_terms", "instruments", "lda_sweep", "topic_labels", "topic_terms",
            "topic_prevalence", "topic_stability", "collocations", "tokenize_account"} <= set(tables)
    assert tables["emphasis"].columns[:8].tolist() == ["province", "dimension", "label", "hits", "tokens", "per_10k",
                                                       "per_10k_low", "per_10k_high"]
    assert tables["keyness"].columns[:4].tolist() == ["province", "reference", "term", "n_target"]
    assert {"p_perm", "p_perm_adjusted", "docs_target", "single_document"} <= set(tables["keyness"].columns)
    assert tables["topic_prevalence"].columns.tolist() == ["province", "topic", "prevalence", "low", "high",
                                                           "n_units", "n_docs", "single_document", "interval_basis",
                                                           "stable"]
    assert tables["topic_prevalence"]["topic"].min() == 1 and {"topic_effects"} <= set(tables)
    assert "without place names and without the policy-genre boilerplate" in page
    assert {"rate_ratios", "emphasis_examples", "emphasis_drivers", "keyness_significance", "group_sizes"} <= set(tables)
    # every comparing section says what its uncertainty rests on, and the single-document groups are named
    for section in ("keywords", "keyness", "similarity", "emphasis", "topics"):
        body = page.split(f"id='{section}'")[1].split("<section")[0]
        assert "Uncertainty rests on:" in body, section
    assert "group(s) have a single document" in page and "四川省" in page
    assert (out / "topics.html").is_file() and (out / "model" / "params.json").is_file()
    assert len(list((out / "figures").glob("*.png"))) >= 10
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seeds"]["random_state"] == 0 and manifest["config"]["ks"] == [2, 3, 4]
    assert manifest["sha256"]["inputs"]["metadata.csv"] == loading.file_sha256(DATA / "metadata.csv")
    for rel in ("lexicon/policy_terms.txt", "stopwords/policy_boilerplate.txt", "cleaning/chrome_rules.tsv",
                "emphasis/digital_policy.tsv"):
        assert manifest["sha256"]["package_data"][rel] == loading.file_sha256(loading.data_path(*rel.split("/")))
    assert manifest["packages"]["jieba"] and manifest["tokenizer"]["fingerprint"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_thin_and_run_end_to_end(notebook, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    book = nbformat.read(notebook, as_version=4)
    code = [c for c in book.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", [])
    assert not re.search(r"^\s*(import|from)\s", code[0].source, re.M)  # parameters only
    for cell in code:
        assert not cell.get("outputs") and not re.search(r"^\s*(def|class)\s", cell.source, re.M)
    NotebookClient(book, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(notebook.parent)}}).execute()
    errors = [o for c in book.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []


def test_notebooks_are_numbered_in_reading_order():
    assert [p.name[:3] for p in NOTEBOOKS] == ["01_", "02_", "03_", "04_", "05_"]


@pytest.mark.parametrize("args, columns", [
    (["keywords", "--top", "5"], ["province", "term", "n", "per_10k", "doc_freq", "rank"]),
    (["tfidf", "--top", "5"], ["province", "term", "n", "tf_idf", "rank"]),
    (["keyness", "--top", "5", "--n-perm", "50"], ["province", "reference", "term", "n_target", "n_reference"]),
    (["rates"], ["feature", "covariate", "level", "reference", "rate_ratio", "low", "high"]),
    (["emphasis", "--n-boot", "20"], ["province", "dimension", "label", "hits"]),
    (["topics", "--ks", "2,3", "--stability-seeds", "1"], ["k", "heldout_loglik", "perplexity", "heldout_unknown",
                                                            "c_npmi", "u_mass", "exclusivity", "stability"]),
    (["topics", "--k", "3", "--n-boot", "20"], ["province", "topic", "prevalence", "low", "high"]),
    (["topics", "--k", "3", "--effects", "--stability-seeds", ""], ["topic", "covariate", "level", "reference",
                                                                   "estimate", "low", "high"]),
])
def test_subcommands_write_csv_with_the_documented_columns(tmp_path, args, columns):
    out = tmp_path / "t.csv"
    code = cli.main([args[0], str(DATA), "--no-progress", "--cache-dir", str(tmp_path / "c"), *args[1:], "-o", str(out)])
    assert code == 0
    table = pd.read_csv(out)
    assert table.columns[:len(columns)].tolist() == columns and len(table) > 0


def test_every_subcommand_explains_itself():
    for command in ("report", "corpus", "keywords", "tfidf", "keyness", "emphasis", "rates", "topics"):
        run = subprocess.run([sys.executable, "-m", "policytext.cli", command, "--help"], capture_output=True, text=True)
        assert run.returncode == 0 and "--by" in run.stdout and "data_dir" in run.stdout, command


def test_bad_options_of_subcommands_give_one_line(tmp_path):
    for args in (["topics", str(DATA), "--ks", "a,b"], ["emphasis", str(DATA), "--lexicon", "nope"],
                 ["keyness", str(DATA), "--target", "广东省"]):
        run = subprocess.run([sys.executable, "-m", "policytext.cli", *args, "--no-progress"], capture_output=True,
                             text=True)
        assert run.returncode == 2 and run.stderr.count("\n") == 1 and "Traceback" not in run.stderr, run.stderr
