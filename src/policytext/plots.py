"""Plots: one function per analysis table, tidy table in, matplotlib figure out.

Chinese renders on a fresh machine: :func:`cjk_font` finds an installed CJK font
or falls back to Noto Sans SC, which installs with policytext's dependencies
(package ``pylopdf-fonts-zh-cn``). Every function draws inside a
``matplotlib.rc_context`` with that font, so the caller's settings are left alone.
Panel grids and figure sizes grow with the number of groups, so 2 groups and
31 groups both stay readable.
"""

from __future__ import annotations

import functools
import logging
import math
from contextlib import contextmanager

import numpy as np
import pandas as pd

__all__ = ["cjk_font", "top_terms", "keyness", "similarity", "emphasis_heatmap", "emphasis_intervals", "rate_ratios",
           "topic_prevalence", "topic_effects", "coherence", "topic_terms", "wordclouds"]

logger = logging.getLogger(__name__)

#: Installed CJK families looked for first (Simplified Chinese first).
KNOWN_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
                   "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei", "SimHei", "PingFang SC",
                   "Heiti SC", "Hiragino Sans GB", "Noto Sans CJK JP")


@functools.lru_cache(maxsize=1)
def cjk_font() -> tuple[str, str]:
    """The CJK font used for plots: ``(family name, file path)``.

    An installed font from :data:`KNOWN_CJK_FONTS` if matplotlib knows one,
    else Noto Sans SC from the ``pylopdf-fonts-zh-cn`` dependency, registered
    with matplotlib's font manager.

    Examples
    --------
    >>> name, path = cjk_font()
    >>> bool(name) and path.endswith((".otf", ".ttf", ".ttc"))
    True
    """
    from matplotlib import font_manager

    installed = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    for name in KNOWN_CJK_FONTS:
        if name in installed:
            return name, installed[name]
    import pylopdf_fonts_zh_cn

    path = str(pylopdf_fonts_zh_cn.sans_path())
    font_manager.fontManager.addfont(path)
    name = font_manager.FontProperties(fname=path).get_name()
    logger.info("no installed CJK font found; using %s from %s", name, path)
    return name, path


@contextmanager
def _style():
    import matplotlib.pyplot as plt

    name, _ = cjk_font()
    # concrete family names, not "sans-serif": a generic family is looked up again when the
    # figure is drawn, perhaps after this context has ended
    with plt.rc_context({"font.family": [name, "DejaVu Sans"],
                         "axes.unicode_minus": False, "figure.dpi": 100}):
        yield plt


def _grid(n_panels: int, *, panel_w: float, panel_h: float, max_cols: int = 4):
    """A grid of panels; lay it out with :func:`_arrange` once its texts are set."""
    import matplotlib.pyplot as plt

    cols = max(1, min(max_cols, n_panels, math.ceil(math.sqrt(n_panels * 1.5))))
    rows = math.ceil(n_panels / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(panel_w * cols, panel_h * rows), squeeze=False)
    flat = axes.ravel()
    for ax in flat[n_panels:]:
        ax.set_visible(False)
    fig._policytext_grid = (rows, cols)
    return fig, flat[:n_panels]


def _arrange(fig, pad: float = 6.0) -> None:
    """Margins and gaps of a grid from the sizes of its texts, measured once.

    matplotlib's constrained layout gets the same result by measuring every
    text several times; on figures with hundreds of Chinese labels that was
    most of the time spent on a report's figures.
    """
    rows, cols = fig._policytext_grid
    renderer = fig.canvas.get_renderer()
    axes = [ax for ax in fig.axes if ax.get_visible()]

    def width(texts):
        return max([t.get_window_extent(renderer).width for t in texts if t.get_text()] or [0.0])

    def height(texts):
        return max([t.get_window_extent(renderer).height for t in texts if t.get_text()] or [0.0])

    # ticks, their pads and the axis labels' pads (about 15 points) besides the texts themselves
    furniture = 15 * fig.dpi / 72
    left = max(width(ax.get_yticklabels()) + width([ax.yaxis.label]) for ax in axes) + furniture + 2 * pad
    below = max(height(ax.get_xticklabels()) + height([ax.xaxis.label]) for ax in axes) + furniture + 2 * pad
    above = max(height([ax.title]) for ax in axes) + 6 * fig.dpi / 72 + 2 * pad
    right = 2 * pad
    head = (fig._suptitle.get_window_extent(renderer).height + 2 * pad) if fig._suptitle is not None else pad
    w_px, h_px = fig.get_size_inches() * fig.dpi
    # room for the axes themselves: widen or heighten the figure if the texts leave too little
    cell_w, cell_h = w_px / cols, (h_px - head) / rows
    need_w, need_h = left + right + 80, below + above + 40
    if cell_w < need_w or cell_h < need_h:
        fig.set_size_inches(max(cell_w, need_w) * cols / fig.dpi, (max(cell_h, need_h) * rows + head) / fig.dpi)
        w_px, h_px = fig.get_size_inches() * fig.dpi
        cell_w, cell_h = w_px / cols, (h_px - head) / rows
    axes_w, axes_h = cell_w - left - right, cell_h - below - above
    fig.subplots_adjust(left=left / w_px, right=1 - right / w_px, bottom=below / h_px, top=1 - (head + above) / h_px,
                        wspace=(left + right) / axes_w, hspace=(below + above) / axes_h)
    if fig._suptitle is not None:
        fig._suptitle.set_y(1 - pad / h_px)
        fig._suptitle.set_verticalalignment("top")


#: Appended to the label of a group that has a single document.
SINGLE_DOCUMENT_MARK = " (1 doc)"


def _single_documents(table: pd.DataFrame, by: str, flag: str = "single_document") -> set:
    """The groups of ``table`` flagged as having a single document."""
    if flag not in table.columns or by not in table.columns:
        return set()
    return set(table.loc[table[flag].astype(bool), by].astype(str))


def _label(group, singles: set) -> str:
    return f"{group}{SINGLE_DOCUMENT_MARK}" if str(group) in singles else str(group)


def _groups(table: pd.DataFrame, by: str) -> list:
    if by not in table.columns:
        raise KeyError(f"the table has no column {by!r}; columns: {list(table.columns)}")
    return sorted(table[by].astype(str).unique())


def top_terms(table: pd.DataFrame, *, by: str = "province", n: int = 10, value: str = "per_10k"):
    """Faceted bars of the top terms per group (a :func:`policytext.term_frequency` or ``top_terms`` table).

    Groups flagged in a ``single_document`` column (join
    :func:`policytext.group_sizes`) are titled "(1 doc)".

    Examples
    --------
    >>> t = pd.DataFrame({"province": ["鄂", "鄂", "川"], "term": ["数据", "平台", "安全"], "n": [3, 1, 2],
    ...                   "per_10k": [7500.0, 2500.0, 10000.0], "rank": [1, 2, 1]})
    >>> top_terms(t).axes[0].get_title()
    '川'
    """
    with _style():
        groups = _groups(table, by)
        singles = _single_documents(table, by)
        fig, axes = _grid(len(groups), panel_w=3.4, panel_h=0.28 * n + 0.9)
        for ax, group in zip(axes, groups):
            part = table[table[by].astype(str) == group].sort_values("rank", kind="stable").head(n)
            y = np.arange(len(part))
            ax.barh(y, part[value].to_numpy(), color="#4C72B0")
            ax.set_yticks(y, part["term"].astype(str).tolist())
            ax.set_ylim(len(part) - 0.5, -0.5)  # the most frequent on top
            ax.set_title(_label(group, singles))
            ax.set_ylabel("")
            ax.set_xlabel("per 10,000 tokens" if value == "per_10k" else value)
        fig.suptitle(f"Most frequent terms by {by}" + ("\n(1 doc): a single document" if singles else ""))
        _arrange(fig)
    return fig


def keyness(table: pd.DataFrame, *, by: str = "province", n: int = 8):
    """Diverging bars of log ratio for each group's most over- and under-used terms, G² in the label.

    A group with a single document has "(1 doc)" in its title; the x axis
    names what each group is compared with (the ``reference`` column).
    Terms whose document-level permutation test (``p_perm_adjusted``, where
    computed) is below 0.05 are marked with an asterisk.
    """
    with _style():
        groups = _groups(table, by)
        singles = _single_documents(table, by)
        fig, axes = _grid(len(groups), panel_w=3.8, panel_h=0.3 * 2 * n + 0.9)
        for ax, group in zip(axes, groups):
            part = table[table[by].astype(str) == group]
            over = part[part["direction"] == "over"].nlargest(n, "g2")
            under = part[part["direction"] == "under"].nlargest(n, "g2")
            show = pd.concat([over, under]).sort_values("log_ratio")
            marks = (["*" if p < 0.05 else "" for p in show["p_perm_adjusted"].fillna(1.0)]
                     if "p_perm_adjusted" in show else [""] * len(show))
            labels = [f"{t}{m} (G²={g:.1f})" for t, m, g in zip(show["term"], marks, show["g2"])]
            colors = np.where(show["log_ratio"] > 0, "#C44E52", "#4C72B0")
            ax.barh(range(len(show)), show["log_ratio"], color=colors)
            ax.set_yticks(range(len(show)), labels, fontsize=8)
            ax.axvline(0, color="black", linewidth=0.8)
            ax.set_title(_label(group, singles))
            reference = part["reference"].iloc[0] if "reference" in part and len(part) else "(rest)"
            ax.set_xlabel("log2 ratio against " + ("the rest" if reference == "(rest)" else str(reference)))
        title = f"Keyness by {by}"
        if "p_perm_adjusted" in table and table["p_perm_adjusted"].notna().any():
            title += " (* document permutation test, BH-adjusted p < 0.05)"
        if singles:
            title += "\n(1 doc): a single document, its G² rests on tokens only"
        fig.suptitle(title)
        _arrange(fig)
    return fig


def similarity(matrix: pd.DataFrame, *, title: str = "Cosine similarity", n_docs=None):
    """Heatmap of a square similarity matrix (``policytext.similarity(..., matrix=True)``).

    Parameters
    ----------
    n_docs : mapping or Series, optional
        Documents per group (e.g. ``group_sizes(tokens, by=by).set_index(by)["n_docs"]``): each label
        then says how many documents its group has.
    """
    import seaborn as sns

    with _style() as plt:
        shown = matrix.copy()
        if n_docs is not None:
            counts = dict(n_docs)
            names = [f"{g} ({counts[g]} doc{'s' if counts[g] != 1 else ''})" if g in counts else str(g)
                     for g in shown.index]
            shown.index, shown.columns = names, names
        size = max(4.0, 0.45 * len(shown) + 2)
        fig, ax = plt.subplots(figsize=(size, size * 0.85), layout="constrained")
        sns.heatmap(shown, ax=ax, cmap="viridis", vmin=0, vmax=1, square=True,
                    annot=len(shown) <= 12, fmt=".2f", cbar_kws={"shrink": 0.7})
        ax.set_title(title)
        ax.set_xlabel("")
        ax.set_ylabel("")
    return fig


def emphasis_heatmap(table: pd.DataFrame, *, by: str = "province", value: str = "per_10k",
                     scale: str = "dimension"):
    """Heatmap of emphasis by group and dimension, each dimension on its own scale.

    Parameters
    ----------
    table : DataFrame
        From :func:`policytext.emphasis`.
    value : {"per_10k", "share"}
        The quantity shown in the cells (the numbers written in them).
    scale : {"dimension", "common"}
        ``dimension`` (default): colours are z-scores of the value across the
        groups within each dimension, so that a dimension with many terms
        does not outshine the others; the cells show the raw values.
        ``common``: one colour scale for all cells.
    """
    import seaborn as sns

    if scale not in ("dimension", "common"):
        raise ValueError(f"scale must be 'dimension' or 'common', got {scale!r}")
    singles = _single_documents(table, by)
    with _style() as plt:
        wide = table.assign(_g=table[by].astype(str).map(lambda g: _label(g, singles))).pivot_table(
            index="label", columns="_g", values=value)
        if scale == "dimension":
            spread = wide.std(axis=1, ddof=0).replace(0, np.nan)
            colours = wide.sub(wide.mean(axis=1), axis=0).div(spread, axis=0).fillna(0.0)
            bound = max(1.0, float(np.nanmax(np.abs(colours.to_numpy()))) if colours.size else 1.0)
            kwargs = {"cmap": "RdBu_r", "center": 0, "vmin": -bound, "vmax": bound,
                      "cbar_kws": {"label": "z-score within the dimension (across groups)"}}
        else:
            colours = wide
            kwargs = {"cmap": "rocket_r",
                      "cbar_kws": {"label": "per 10,000 tokens" if value == "per_10k" else value}}
        fig, ax = plt.subplots(figsize=(max(5.0, 0.55 * wide.shape[1] + 3), max(3.5, 0.45 * wide.shape[0] + 1.5)),
                               layout="constrained")
        annotate = wide.shape[1] <= 14
        sns.heatmap(colours, ax=ax, annot=wide if annotate else False,
                    fmt=".0f" if value == "per_10k" else ".2f", **kwargs)
        ax.set_xlabel(by)
        ax.set_ylabel("")
        what = "hits per 10,000 tokens" if value == "per_10k" else "share of the group's lexicon hits"
        title = f"Policy emphasis ({what}" + ("; colours scaled within each dimension)" if scale == "dimension"
                                             else ")")
        if singles:
            title += "\n(1 doc): a single document"
        ax.set_title(title)
    return fig


def _intervals(table, *, panel_col, y_col, value, low, high, xlabel, title):
    with _style():
        singles = _single_documents(table, y_col)
        panels = list(dict.fromkeys(table[panel_col]))
        n_y = table[y_col].astype(str).nunique()
        fig, axes = _grid(len(panels), panel_w=3.2, panel_h=0.25 * n_y + 1.0, max_cols=5)
        for ax, panel in zip(axes, panels):
            part = table[table[panel_col] == panel].assign(_y=lambda t: t[y_col].astype(str)).sort_values("_y")
            y = np.arange(len(part))
            err = np.vstack([part[value] - part[low], part[high] - part[value]])
            single = part["_y"].isin(singles).to_numpy()
            for mask, face in ((~single, "#4C72B0"), (single, "white")):
                if mask.any():
                    ax.errorbar(part[value].to_numpy()[mask], y[mask], xerr=np.nan_to_num(err[:, mask]), fmt="o",
                                color="#4C72B0", markerfacecolor=face, ecolor="#999999", capsize=2, markersize=4)
            ax.set_yticks(y, [_label(g, singles) for g in part["_y"]], fontsize=8)
            ax.invert_yaxis()
            ax.set_title(str(panel), fontsize=10)
            ax.set_xlabel(xlabel, fontsize=8)
        if singles:
            title += "\nhollow, (1 doc): a single document: its interval cannot show variation between documents"
        fig.suptitle(title)
        _arrange(fig)
    return fig


def _basis(table: pd.DataFrame) -> str:
    """What the intervals rest on, for a title: documents, paragraphs or tokens."""
    if "interval_basis" not in table:
        return ""
    kinds = {b.split(":")[0].split(" ")[0] for b in table["interval_basis"].dropna().astype(str)}
    kinds = [k for k in ("documents", "paragraphs", "tokens") if k in kinds]
    return f" (resampling {', '.join(kinds)})" if kinds else ""


def emphasis_intervals(table: pd.DataFrame, *, by: str = "province", value: str = "per_10k"):
    """Points and bootstrap intervals of emphasis, one panel per dimension."""
    low, high = (f"{value}_low", f"{value}_high")
    basis = _basis(table)
    return _intervals(table, panel_col="label", y_col=by, value=value, low=low, high=high,
                      xlabel="per 10,000 tokens" if value == "per_10k" else value,
                      title=f"Policy emphasis with 95% intervals{basis}")


def rate_ratios(table: pd.DataFrame, *, labels: dict | None = None):
    """Rate ratios against the reference with their intervals, one panel per feature (a forest plot).

    Takes the table of :func:`policytext.compare_rates`; the x axis is
    logarithmic, the dashed line marks a ratio of 1 (the reference). Groups
    with a single document are drawn hollow and marked "(1 doc)"; a group
    without hits (rate ratio 0) is listed at the left edge.

    Parameters
    ----------
    labels : dict, optional
        Display names of the features (e.g. dimension -> label).
    """
    from matplotlib.ticker import NullFormatter

    with _style():
        data = table[table["rate_ratio"].notna()].copy()
        data["_g"] = data["level"].astype(str)
        singles = set(data.loc[data["n_docs"] == 1, "_g"])
        features = list(dict.fromkeys(data["feature"]))
        n_y = data["_g"].nunique()
        fig, axes = _grid(max(1, len(features)), panel_w=3.3, panel_h=0.25 * n_y + 1.1, max_cols=4)
        positive = data.loc[data["rate_ratio"] > 0, ["low", "rate_ratio"]].to_numpy().ravel()
        positive = positive[np.isfinite(positive) & (positive > 0)]
        floor = float(positive.min()) / 2 if len(positive) else 0.1
        for ax, feature in zip(axes, features):
            part = data[data["feature"] == feature].sort_values("_g")
            y = np.arange(len(part))
            est = part["rate_ratio"].clip(lower=floor).to_numpy()
            low = part["low"].clip(lower=floor).to_numpy()
            high = part["high"].clip(lower=floor).to_numpy()
            single = part["_g"].isin(singles).to_numpy()
            for mask, face in ((~single, "#4C72B0"), (single, "white")):
                if mask.any():
                    ax.errorbar(est[mask], y[mask], xerr=np.vstack([est - low, high - est])[:, mask], fmt="o",
                                color="#4C72B0", markerfacecolor=face, ecolor="#999999", capsize=2, markersize=4)
            ax.axvline(1.0, color="#C44E52", linestyle="--", linewidth=1)
            ax.set_xscale("log")
            ax.xaxis.set_minor_formatter(NullFormatter())  # only the powers of ten are labelled
            ax.set_yticks(y, [_label(g, singles) for g in part["_g"]], fontsize=8)
            ax.invert_yaxis()
            ax.set_title(str((labels or {}).get(feature, feature)), fontsize=10)
            ax.set_xlabel("rate ratio (log scale)", fontsize=8)
        reference = ", ".join(sorted(set(table["reference"].astype(str))))
        title = f"Rate ratios against {reference}, 95% intervals (documents as units)"
        if singles:
            title += "\nhollow, (1 doc): a single document, its interval rests on the other documents' dispersion"
        fig.suptitle(title)
        _arrange(fig)
    return fig


#: Appended to the name of a topic flagged unstable across seeds.
UNSTABLE_MARK = " [unstable]"


def _topic_names(labels: pd.DataFrame | None, stable: dict) -> dict:
    """Panel titles of the topics: number, three top terms, and the unstable mark."""
    names = {}
    if labels is not None:
        for t, lbl in zip(labels["topic"], labels["by_relevance"]):
            names[t] = f"{t}: {' · '.join(lbl.split(' · ')[:3])}"
    out = {}
    for t in set(names) | set(stable):
        name = names.get(t, f"topic {t}")
        out[t] = name + (UNSTABLE_MARK if stable.get(t) is False else "")
    return out


def _stable_of(*tables) -> dict:
    """topic -> stable (True/False) from any table with ``topic`` and ``stable``; NA values left out."""
    out = {}
    for table in tables:
        if table is not None and "stable" in table and "topic" in table:
            for t, v in table[["topic", "stable"]].drop_duplicates("topic").itertuples(index=False):
                if not pd.isna(v):
                    out[t] = bool(v)
    return out


def topic_prevalence(table: pd.DataFrame, *, by: str = "province", labels: pd.DataFrame | None = None):
    """Topic prevalence by group with intervals, one panel per topic (labelled by top terms if given).

    Topics flagged unstable (a ``stable`` column of the table or of the
    labels) carry "[unstable]" in their panel title.
    """
    data = table.copy()
    stable = _stable_of(table, labels)
    names = _topic_names(labels, stable)
    data["topic"] = data["topic"].map(lambda t: names.get(t, f"topic {t}"))
    title = f"Topic prevalence with 95% bootstrap intervals{_basis(table)} (a description)"
    if any(v is False for v in stable.values()):
        title += "\n[unstable]: the topic does not recur when the model is fitted with other seeds"
    return _intervals(data, panel_col="topic", y_col=by, value="prevalence", low="low", high="high",
                      xlabel="prevalence", title=title)


def topic_effects(table: pd.DataFrame, *, labels: pd.DataFrame | None = None):
    """Effects of a covariate on topic shares (:func:`policytext.estimate_effects`), one panel per topic.

    Points are differences in the expected document share against the
    reference, bars their 95% intervals; single-document levels are hollow
    and marked "(1 doc)", unstable topics "[unstable]" in their title.
    """
    data = table.copy()
    data["single_document"] = data["n_docs"] == 1
    stable = _stable_of(table, labels)
    names = _topic_names(labels, stable)
    data["panel"] = data["topic"].map(lambda t: names.get(t, f"topic {t}"))
    reference = ", ".join(sorted(set(data["reference"].astype(str))))
    title = f"Effects on topic shares against {reference} (documents; method of composition), 95% intervals"
    if any(v is False for v in stable.values()):
        title += "\n[unstable]: the topic does not recur when the model is fitted with other seeds"
    fig = _intervals(data.rename(columns={"level": "_level"}), panel_col="panel", y_col="_level", value="estimate",
                     low="low", high="high", xlabel="difference in share", title=title)
    for ax in fig.axes:
        if ax.get_visible():
            ax.axvline(0.0, color="#C44E52", linestyle="--", linewidth=1)
    return fig


#: The criteria :func:`coherence` draws, in order, when the sweep has them.
SWEEP_PANELS = ("heldout_loglik", "perplexity", "c_npmi", "u_mass", "c_v", "exclusivity", "stability")


def coherence(sweep: pd.DataFrame):
    """The criteria of :func:`policytext.lda_sweep` against k; the recommended k marked.

    One panel per criterion (held-out log-likelihood, perplexity, coherence,
    exclusivity, stability); the dashed line is the recommended k, and the
    title says when it lies at the edge of the grid.
    """
    measures = [c for c in SWEEP_PANELS if c in sweep.columns and sweep[c].notna().any()]
    with _style():
        fig, axes = _grid(len(measures), panel_w=3.2, panel_h=2.6, max_cols=4)
        best = sweep.loc[sweep["recommended"], "k"] if "recommended" in sweep else pd.Series(dtype=int)
        for ax, m in zip(axes, measures):
            ax.plot(sweep["k"], sweep[m], "o-", color="#4C72B0")
            for k in best:
                ax.axvline(k, color="#C44E52", linestyle="--", linewidth=1)
            ax.set_title(m)
            ax.set_xlabel("k")
        title = "Choosing the number of topics (dashed: recommended)"
        if "at_edge" in sweep and sweep["at_edge"].any():
            title += "\nthe recommended k is at the edge of the grid: the best k may lie outside it"
        fig.suptitle(title)
        _arrange(fig)
    return fig


def topic_terms(table: pd.DataFrame, *, n: int = 10):
    """Bars of the top terms of each topic (``model.topic_terms()``); unstable topics marked."""
    stable = _stable_of(table)
    with _style():
        topics = sorted(table["topic"].unique())
        fig, axes = _grid(len(topics), panel_w=3.0, panel_h=0.26 * n + 0.9)
        for ax, t in zip(axes, topics):
            part = table[table["topic"] == t].nlargest(n, "beta").iloc[::-1]
            unstable = stable.get(t) is False
            ax.barh(part["term"], part["beta"], color="#BBBBBB" if unstable else "#55A868")
            ax.set_title(f"topic {t}" + (UNSTABLE_MARK if unstable else ""))
            ax.set_xlabel("probability")
        title = "Top terms per topic"
        if any(v is False for v in stable.values()):
            title += " (grey, [unstable]: does not recur with other seeds)"
        fig.suptitle(title)
        _arrange(fig)
    return fig


def wordclouds(table: pd.DataFrame, *, by: str = "province", n: int = 40, random_state: int = 0):
    """A word cloud per group from a :func:`policytext.term_frequency` table, in the CJK font.

    Groups flagged in a ``single_document`` column (join
    :func:`policytext.group_sizes`) are titled "(1 doc)".
    """
    from wordcloud import WordCloud

    _, font_path = cjk_font()
    with _style():
        groups = _groups(table, by)
        singles = _single_documents(table, by)
        fig, axes = _grid(len(groups), panel_w=3.6, panel_h=2.6)
        for ax, group in zip(axes, groups):
            part = table[table[by].astype(str) == group].nlargest(n, "n")
            cloud = WordCloud(font_path=font_path, width=400, height=280, background_color="white",
                              random_state=random_state, prefer_horizontal=1.0)
            cloud.generate_from_frequencies(dict(zip(part["term"], part["n"].astype(float))))
            ax.imshow(cloud.to_array(), interpolation="bilinear")
            ax.set_title(_label(group, singles))
            ax.axis("off")
        _arrange(fig)
    return fig
