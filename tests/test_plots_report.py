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
from policytext import cli, networks, plots, report  # noqa: E402
from policytext.io import loading  # noqa: E402



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


def trend_table():
    """Two features' trends over ten years in two regions, from simulated counts."""
    rng = np.random.default_rng(0)
    year = np.tile(np.arange(2010, 2020), 4)
    counts = pd.DataFrame({"doc_id": [f"d{i}" for i in range(40)], "year": year,
                           "region": np.repeat(["东部", "西部"], 20), "tokens": 5000})
    both = pd.concat([counts.assign(feature=f, hits=rng.poisson(5000 * 0.002 * np.exp(0.05 * (year - 2010))))
                      for f in ("数字", "绿色")], ignore_index=True)
    return pt.rate_trend(both, by="region")


def test_the_trend_plot_draws_each_group_with_its_interval_and_says_when_nothing_is_estimable():
    import matplotlib.pyplot as plt

    table = trend_table()
    fig = plots.trend(table)
    assert len(fig.axes[0].lines) == 2 and len(fig.axes[0].collections) == 2  # a line and a band per region
    assert {t.get_text() for t in fig.axes[0].get_legend().get_texts()} == {"东部", "西部"}
    band = fig.axes[0].collections[0].get_paths()[0].vertices[:, 1]
    part = table[(table["feature"] == "数字") & (table["region"] == "东部")]
    assert band.min() == pytest.approx(part["low"].min()) and band.max() == pytest.approx(part["high"].max())
    plt.close(fig)
    empty = table.assign(rate=np.nan, low=np.nan, high=np.nan, note="2 distinct values of year: too few for a trend")
    fig = plots.trend(empty)
    assert "too few for a trend" in " ".join(t.get_text() for t in fig.axes[0].texts).replace("\n", " ")
    plt.close(fig)


def test_every_plot_renders_chinese(tokens, model):
    freq = pt.term_frequency(tokens, by="province")
    figures = [
        plots.top_terms(pt.top_terms(freq, n=10)),
        plots.keyness(pt.keyness(tokens, by="province")),
        plots.similarity(pt.similarity(tokens, by="province", matrix=True)),
        plots.emphasis_heatmap(pt.emphasis(tokens, by="province", n_boot=20)),
        plots.emphasis_intervals(pt.emphasis(tokens, by="province", n_boot=20)),
        plots.topic_prevalence(pt.topic_prevalence(model, by="province", n_boot=20), labels=model.labels()),
        plots.coherence(pd.DataFrame({"k": [2, 3], "c_npmi": [0.1, 0.2], "u_mass": [-2, -1], "heldout_loglik": [-5, -4],
                                      "perplexity": [90, 80], "exclusivity": [8, 9], "stability": [0.9, 0.8],
                                      "recommended": [False, True], "at_edge": [False, True]})),
        plots.topic_effects(pt.estimate_effects(model, n_draws=5), labels=model.labels()),
        plots.topic_terms(model.topic_terms(n=8)),
        plots.wordclouds(freq),
        plots.network(networks.coword_communities(networks.coword_network(coword := networks.cooccurrence(tokens))),
                      coword),
        plots.trend(trend_table(), labels={"数字": "数字经济"}),
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
            plots.emphasis_intervals(pt.emphasis(toks, by="province", n_boot=20))]
    for fig in figs:
        draw_without_missing_glyphs(fig)
        renderer = fig.canvas.get_renderer()
        for ax in fig.axes:
            if not ax.get_visible():
                continue
            boxes = [t.get_window_extent(renderer) for t in ax.get_yticklabels() if t.get_text()]
            for a, b in zip(boxes, boxes[1:]):
                assert not a.overlaps(b), "tick labels overlap"
    heat = plots.emphasis_heatmap(pt.emphasis(toks, by="province", n_boot=0))
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
    for section, _ in report.PARTS:
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


@pytest.mark.parametrize("args, columns", [
    (["keywords", "--top", "5"], ["province", "term", "n", "per_10k", "doc_freq", "rank"]),
    (["tfidf", "--top", "5"], ["province", "term", "n", "tf_idf", "rank"]),
    (["keyness", "--top", "5", "--n-perm", "50"], ["province", "reference", "term", "n_target", "n_reference"]),
    (["rates"], ["feature", "covariate", "level", "reference", "rate_ratio", "low", "high"]),
    (["emphasis", "--n-boot", "20"], ["province", "dimension", "label", "hits"]),
    (["topics", "--ks", "2,3", "--stability-seeds", "1"], ["k", "heldout_loglik", "heldout_se", "perplexity",
                                                            "heldout_unknown", "c_npmi", "u_mass", "exclusivity",
                                                            "stability", "unstable_topics", "unstable_share"]),
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


# --- figures a researcher can publish: page width, given Axes, vector files, clustered heatmap ---

#: Width of the report's page in inches at the report's dpi (1155 px at 110 dpi: the page's 1200 px less padding).
PAGE_INCHES = 10.5


def smallest_displayed_font(fig) -> float:
    """The smallest tick-label font of a figure (points) once the browser fits the figure into the page."""
    fig.canvas.draw()
    fonts = [t.get_fontsize() for ax in fig.axes if ax.get_visible()
             for t in ax.get_xticklabels() + ax.get_yticklabels() if t.get_text() and t.get_visible()]
    return min(fonts) * min(1.0, PAGE_INCHES / fig.get_size_inches()[0])


@pytest.fixture(scope="module")
def tokens_31():
    return synthetic_groups(31)


@pytest.mark.parametrize("kind", ["keyness", "top_terms", "emphasis_heatmap", "similarity", "emphasis_intervals"])
def test_figures_of_31_groups_fit_the_page_with_readable_labels(tokens_31, kind):
    toks = tokens_31
    if kind == "keyness":
        fig = plots.keyness(pt.keyness(toks, by="province", n_perm=0))
    elif kind == "top_terms":
        fig = plots.top_terms(pt.top_terms(pt.term_frequency(toks, by="province"), n=8))
    elif kind == "emphasis_heatmap":
        fig = plots.emphasis_heatmap(pt.emphasis(toks, by="province", n_boot=0))
    elif kind == "similarity":
        fig = plots.similarity(pt.similarity(toks, by="province", matrix=True))
    else:
        fig = plots.emphasis_intervals(pt.emphasis(toks, by="province", n_boot=10))
    assert fig.get_size_inches()[0] <= PAGE_INCHES + 1e-9
    assert smallest_displayed_font(fig) >= 8.0
    if kind in ("emphasis_heatmap", "similarity"):  # every group keeps its label
        labels = [t for t in fig.axes[0].get_xticklabels() if t.get_text()]
        assert len(labels) == 31
    matplotlib.pyplot.close(fig)


def test_the_similarity_heatmap_orders_groups_by_clustering():
    # three blocks whose members are spread over the alphabet: a, d, g / b, e, h / c, f, i
    names = list("abcdefghi")
    block = {n: i % 3 for i, n in enumerate(names)}
    sim = pd.DataFrame([[1.0 if a == b else 0.9 if block[a] == block[b] else 0.1 for b in names] for a in names],
                       index=names, columns=names)
    fig = plots.similarity(sim, n_docs={n: 2 for n in names})
    shown = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == shown
    assert all(s.endswith("(2 docs)") for s in shown)
    order = [block[s[0]] for s in shown]
    # each block comes out contiguous: the block number changes exactly twice down the axis
    assert sum(a != b for a, b in zip(order, order[1:])) == 2
    again = [t.get_text() for t in plots.similarity(sim.iloc[::-1, ::-1], n_docs={n: 2 for n in names})
             .axes[0].get_yticklabels()]
    assert again == shown  # deterministic, whatever order the matrix came in
    # the cells follow their labels
    mesh = fig.axes[0].collections[0].get_array().reshape(9, 9)
    assert mesh[0, 1] == sim.loc[shown[0][0], shown[1][0]]
    matplotlib.pyplot.close("all")


def faceted_plots(tokens, model):
    """(name, function of ax=, number of panels) for every faceted plot of the module."""
    freq = pt.term_frequency(tokens, by="province")
    key = pt.keyness(tokens, by="province", n_perm=0)
    emph = pt.emphasis(tokens, by="province", n_boot=10)
    rates = pt.compare_rates(tokens, covariates="province", lexicon="digital_policy")
    prevalence = pt.topic_prevalence(model, by="province", n_boot=10)
    effects = pt.estimate_effects(model, n_draws=3)
    sweep = pd.DataFrame({"k": [2, 3], "c_npmi": [0.1, 0.2], "u_mass": [-2, -1], "recommended": [False, True]})
    n_groups = freq["province"].nunique()
    return [
        ("top_terms", lambda ax: plots.top_terms(pt.top_terms(freq, n=5), ax=ax), n_groups),
        ("keyness", lambda ax: plots.keyness(key, ax=ax), n_groups),
        ("emphasis_intervals", lambda ax: plots.emphasis_intervals(emph, ax=ax), emph["label"].nunique()),
        ("rate_ratios", lambda ax: plots.rate_ratios(rates, ax=ax),
         rates.dropna(subset=["rate_ratio"])["feature"].nunique()),
        ("topic_prevalence", lambda ax: plots.topic_prevalence(prevalence, ax=ax), 3),
        ("topic_effects", lambda ax: plots.topic_effects(effects, ax=ax), 3),
        ("coherence", lambda ax: plots.coherence(sweep, ax=ax), 2),
        ("topic_terms", lambda ax: plots.topic_terms(model.topic_terms(n=5), ax=ax), 3),
        ("wordclouds", lambda ax: plots.wordclouds(freq, ax=ax), n_groups),
        ("trend", lambda ax: plots.trend(trend_table(), ax=ax), 2),
    ]


def test_every_plot_draws_into_the_axes_it_is_given(tokens, model):
    import matplotlib.pyplot as plt

    # one-panel plots: a single Axes of the caller's figure, the other Axes left alone
    fig, (mine, other) = plt.subplots(1, 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert plots.similarity(pt.similarity(tokens, by="province", matrix=True), ax=mine) is fig
    assert not [w for w in caught if "missing from font" in str(w.message)]
    assert mine.collections and not other.collections and not other.texts
    assert "湖北省" in {t.get_text().split(" ")[0] for t in mine.get_yticklabels()}
    plt.close(fig)
    fig, ax = plt.subplots()
    assert plots.emphasis_heatmap(pt.emphasis(tokens, by="province", n_boot=0), ax=ax) is fig and ax.collections
    plt.close(fig)
    fig, (mine, other) = plt.subplots(1, 2)
    edges = networks.cooccurrence(tokens)
    assert plots.network(networks.coword_communities(networks.coword_network(edges)), edges, ax=mine) is fig
    assert mine.collections and mine.texts and not other.collections and not other.texts
    plt.close(fig)
    # faceted plots: one Axes per panel
    for name, draw, n in faceted_plots(tokens, model):
        fig, axes = plt.subplots(1, n + 1, squeeze=False)
        spare = axes[0, -1]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert draw(axes[0, :n]) is fig, name
        assert not [w for w in caught if "missing from font" in str(w.message)], name
        assert all(ax.has_data() or ax.images for ax in axes[0, :n]), name
        assert not spare.has_data() and not spare.lines and spare.get_title() == "", name
        draw_without_missing_glyphs(fig)
        texts = [t for ax in axes[0, :n] for t in ax.get_yticklabels() + [ax.title]
                 if re.search("[\u4e00-\u9fff]", t.get_text())]
        assert all(t.get_fontname() == plots.cjk_font()[0] for t in texts), name
        plt.close(fig)


def test_a_faceted_plot_says_how_many_axes_it_needs(tokens, model):
    import matplotlib.pyplot as plt

    for name, draw, n in faceted_plots(tokens, model):
        fig, axes = plt.subplots(1, n + 1)
        with pytest.raises(ValueError, match=rf"{n} panel.*got {n + 1} Axes"):
            draw(axes)
        plt.close(fig)


def test_save_figure_writes_raster_and_vector_files_the_same_every_time(tmp_path):
    toks = synthetic_groups(3)
    fig = plots.keyness(pt.keyness(toks, by="province", n_perm=0))
    paths = plots.save_figure(fig, tmp_path / "keyness", formats=("png", "svg", "pdf"))
    assert [p.name for p in paths] == ["keyness.png", "keyness.svg", "keyness.pdf"]
    png, svg, pdf = (p.read_bytes() for p in paths)
    assert png.startswith(b"\x89PNG") and pdf.startswith(b"%PDF")
    assert b"<svg" in svg and b"<path" in svg and b"<image" not in svg  # vector: glyphs as paths, no bitmap
    again = plots.save_figure(fig, tmp_path / "again", formats=("png", "svg", "pdf"))
    assert [p.read_bytes() for p in again] == [png, svg, pdf]  # no dates, no random ids
    assert [p.name for p in plots.save_figure(fig, tmp_path / "one.pdf")] == ["one.pdf"]
    with pytest.raises(ValueError, match="gif"):
        plots.save_figure(fig, tmp_path / "x", formats=("gif",))
    matplotlib.pyplot.close(fig)


def _files(folder) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_rerunning_the_report_writes_the_same_bytes(tmp_path):
    settings = dict(ks=(2, 3), n_boot=10, n_perm=10, n_draws=2, stability_seeds=(), sweep_stability_seeds=(),
                    n_jobs=1, progress=False, cache_dir=tmp_path / "cache", figure_formats=("png", "svg", "pdf"),
                    table_formats=("csv", "tex", "docx"))
    runs = {}
    for name in ("cold", "warm"):  # the second run reads the tokens and the sections from the first one's cache
        runs[name] = tmp_path / name
        report.build_report(pt.bundled_corpus_path(), runs[name], report.ReportConfig(**settings))
    cold = _files(runs["cold"])
    assert {"report.html", "topics.html", "model/params.json", "model/beta.npy", "tables/tokenize_account.csv",
            "tables/keyness.tex", "tables/keyness.docx", "figures/keyness.png", "figures/keyness.svg",
            "figures/keyness.pdf", "networks/coword_network.gexf", "networks/coword_network.graphml",
            "networks/reuse_network.gexf", "tables/reuse_passages.csv", "tables/coword_edges.csv",
            "figures/coword_network.svg", "figures/reuse_heatmap.png"} <= set(cold)
    assert _files(runs["warm"]) == cold
    for rel in cold:
        if rel != "manifest.json":
            assert (runs["warm"] / rel).read_bytes() == (runs["cold"] / rel).read_bytes(), rel
    # the manifest differs in its timings only, and they say what came from the cache
    manifests = {name: json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
                 for name, folder in runs.items()}
    assert manifests["cold"]["timings"]["documents_tokenized_from_cache"] == 0
    assert manifests["warm"]["timings"]["documents_tokenized_from_cache"] == 5
    assert manifests["warm"]["timings"]["sections_from_cache"] == ["words", "keyness", "emphasis", "reuse", "network",
                                                                 "topics"]
    assert report.TIMING_KEYS == ("timings",)
    stripped = [{k: v for k, v in m.items() if k not in report.TIMING_KEYS} for m in manifests.values()]
    assert stripped[0] == stripped[1]
    assert "from_cache" not in pd.read_csv(runs["cold"] / "tables" / "tokenize_account.csv").columns
    # every figure of the page is a link to its file, and no file is wider than the page
    from PIL import Image

    page = (runs["cold"] / "report.html").read_text(encoding="utf-8")
    links = re.findall(r"<a class='figure' href='(figures/[^']+)'[^>]*><img ", page)
    assert len(links) == page.count("<img ") >= 10 and len(set(links)) == len(links)
    for link in links:
        with Image.open(runs["cold"] / link) as image:
            assert image.width <= PAGE_INCHES * plots.REPORT_DPI + 1, link


def test_the_interactive_topic_view_is_the_same_file_every_time(model, tmp_path):
    first = pt.export_ldavis(model, tmp_path / "a.html").read_bytes()
    assert pt.export_ldavis(model, tmp_path / "b.html").read_bytes() == first


def test_a_folder_of_texts_without_metadata_is_grouped_by_document(tmp_path, caplog):
    import logging
    import shutil

    corpus = tmp_path / "texts"
    corpus.mkdir()
    for source in sorted((pt.bundled_corpus_path() / "raw").glob("*.txt"))[:3]:
        shutil.copy(source, corpus / source.name)
    config = report.ReportConfig(ks=(2, 3), n_boot=10, n_perm=10, n_draws=3, stability_seeds=(), progress=False,
                                 cache_dir=tmp_path / "cache")
    with caplog.at_level(logging.WARNING, logger="policytext.report"):
        path = report.build_report(corpus, tmp_path / "out", config)
    assert any("province" in r.getMessage() and "doc_id" in r.getMessage() for r in caplog.records)
    page = path.read_text(encoding="utf-8")
    assert "has no column <code>province</code>" in page and "grouped by <b>doc_id</b>" in page
    sizes = pd.read_csv(tmp_path / "out" / "tables" / "group_sizes.csv")
    assert sizes.columns[0] == "doc_id" and len(sizes) == 3
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["config"]["by"] == "province" and manifest["by_used"] == "doc_id"


def test_a_by_column_the_corpus_lacks_is_an_error_when_asked_for_by_name(tmp_path):
    import shutil

    corpus = tmp_path / "texts"
    corpus.mkdir()
    shutil.copy(sorted((pt.bundled_corpus_path() / "raw").glob("*.txt"))[0], corpus / "a.txt")
    with pytest.raises(pt.CorpusError, match="by='provnce': no such metadata column"):
        report.build_report(DATA, tmp_path / "out", report.ReportConfig(by="provnce", progress=False))
    with pytest.raises(pt.CorpusError, match="by='province'"):
        report.build_report(corpus, tmp_path / "out", report.ReportConfig(by="province", progress=False))


def test_the_default_refit_seed_differs_from_the_model_seed():
    for seed in (0, 1, 7):
        config = report.ReportConfig(random_state=seed)
        assert config.stability_seeds == (seed + 1,) and config.sweep_stability_seeds == (seed + 1,)
    assert report.ReportConfig(random_state=1, stability_seeds=(1, 3)).stability_seeds == (1, 3)
    with pytest.raises(ValueError, match="stability_seeds"):
        report.ReportConfig(random_state=1, stability_seeds=(1,))


def test_the_report_loads_strictly_when_asked(tmp_path):
    import shutil

    corpus = tmp_path / "texts"
    corpus.mkdir()
    shutil.copy(sorted((pt.bundled_corpus_path() / "raw").glob("*.txt"))[0], corpus / "a.txt")
    (corpus / "b.txt").write_bytes(b"")  # empty: skipped, unless the load is strict
    with pytest.raises(pt.CorpusError, match="b.txt"):
        report.build_report(corpus, tmp_path / "out", report.ReportConfig(strict=True, progress=False))


def test_the_report_passes_its_loading_options_on(tmp_path, monkeypatch):
    seen = {}

    class Stop(Exception):
        pass

    def load_corpus(path, **options):
        seen.update(options)
        raise Stop

    monkeypatch.setattr(loading, "load_corpus", load_corpus)
    with pytest.raises(Stop):
        report.build_report(DATA, tmp_path / "out", report.ReportConfig(strict=True, allow_outside=True,
                                                                        metadata=DATA / "metadata.csv"))
    assert seen == {"strict": True, "allow_outside": True, "metadata": DATA / "metadata.csv"}
    with pytest.raises(Stop):
        report.build_report(DATA, tmp_path / "out", report.ReportConfig())
    assert seen == {"strict": False, "allow_outside": False, "metadata": None}


def test_report_config_checks_its_formats():
    assert report.ReportConfig().figure_formats == ("png",) and report.ReportConfig().table_formats == ("csv",)
    with pytest.raises(ValueError, match="gif"):
        report.ReportConfig(figure_formats=("png", "gif"))
    with pytest.raises(ValueError, match="ods"):
        report.ReportConfig(table_formats=("ods",))
    assert report.ReportConfig(table_formats=("csv", "xlsx")).table_formats == ("csv", "xlsx")


QUICK_REPORT = dict(ks=(2, 3), n_boot=10, n_perm=10, n_draws=2, stability_seeds=(), sweep_stability_seeds=(),
                    n_jobs=1, progress=False, cache=False)


def test_the_report_shows_a_shared_passage_and_writes_both_networks_for_gephi(tmp_path):
    import networkx as nx

    texts = [p.read_text(encoding="utf-8") for p in sorted((pt.bundled_corpus_path() / "raw").glob("*.txt"))]
    passage = texts[2][600:760]  # 160 characters of one seed, planted into two other texts
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rows = ["file,province"]
    for i, (text, province) in enumerate(zip([texts[0], texts[1], texts[3]], ["湖北省", "四川省", "山东省"])):
        body = text[:1500] + ("\n" + passage + "\n" if i < 2 else "\n") + text[1500:3000]
        (corpus / f"d{i}.txt").write_text(body, encoding="utf-8")
        rows.append(f"d{i}.txt,{province}")
    (corpus / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    report.build_report(corpus, out, report.ReportConfig(**QUICK_REPORT))
    passages = pd.read_csv(out / "tables" / "reuse_passages.csv")
    shared = passages[(passages["doc_a"] == "d0") & (passages["doc_b"] == "d1")]
    assert len(shared) == 1 and shared["length"].iloc[0] >= 0.9 * len(passage.strip())
    assert set(passages["doc_a"]) | set(passages["doc_b"]) == {"d0", "d1"}  # the third document shares nothing
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "7. Text reuse" in page and "8. Co-word network" in page and passage.strip()[:40] in page
    groups = nx.read_gexf(out / "networks" / "reuse_network.gexf")
    assert set(groups.nodes) == {"湖北省", "四川省", "山东省"}
    assert [tuple(sorted(e)) for e in groups.edges] == [("四川省", "湖北省")]
    cowords = nx.read_graphml(out / "networks" / "coword_network.graphml")
    nodes = pd.read_csv(out / "tables" / "coword_nodes.csv")
    assert set(cowords.nodes) == set(nodes["term"]) and cowords.number_of_edges() > 0


def test_the_report_can_leave_out_text_reuse_and_the_network(tmp_path):
    out = tmp_path / "out"
    report.build_report(pt.bundled_corpus_path(), out, report.ReportConfig(**QUICK_REPORT, skip=("reuse", "network")))
    assert not (out / "networks").exists() and not (out / "tables" / "reuse_passages.csv").exists()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("Not run (skipped") == 2 and "--skip reuse,network" in page
    with pytest.raises(ValueError, match="topics"):
        report.ReportConfig(skip=("topics",))
