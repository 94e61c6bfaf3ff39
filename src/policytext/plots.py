"""Plots: one function per analysis table, tidy table in, matplotlib figure out.

Chinese renders on a fresh machine: :func:`cjk_font` finds an installed CJK font
or falls back to Noto Sans SC, which installs with policytext's dependencies
(package ``pylopdf-fonts-zh-cn``). Every function draws inside a
``matplotlib.rc_context`` with that font, so the caller's settings are left alone.

Figures are sized for a page: at most :data:`PAGE_WIDTH` inches wide, so that
the report shows them at full size with fonts of at least :data:`MIN_FONT`
points. A grid of panels takes as many columns as fit and grows taller with the
number of groups; a heatmap narrows its cells, down to what its labels need.

Every function takes ``ax=``: a single Axes for the one-panel plots (the
heatmaps), a sequence of Axes with one per panel for the others, so that a plot
can be placed in a figure of your own; it returns the Figure drawn on. With
``ax=`` the figure's size, layout and title are left to you. :func:`save_figure`
writes a figure as PNG and as vector SVG or PDF, byte-identical for the same
figure.
"""

from __future__ import annotations

import functools
import io
import logging
import math
import textwrap
from contextlib import contextmanager
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from policytext._core.deprecation import renamed
from policytext._core.output import write_atomic

__all__ = ["cjk_font", "top_terms", "keyness", "similarity", "emphasis_heatmap", "emphasis_intervals", "rate_ratios",
           "topic_prevalence", "topic_effects", "coherence", "topic_terms", "wordclouds", "save_figure",
           "figure_bytes", "network", "reuse_heatmap", "trend"]

logger = logging.getLogger(__name__)

#: Width of a page in inches: no figure is made wider unless its labels leave no choice. At
#: :data:`REPORT_DPI` it is 1155 pixels, within the report's page (1200 pixels less its margins).
PAGE_WIDTH = 10.5
#: Resolution of the PNG files (and of the figures embedded in the report).
REPORT_DPI = 110
#: The smallest font size (points) of tick and cell labels in a heatmap.
MIN_FONT = 8.0
#: The formats :func:`save_figure` writes: PNG (raster), SVG and PDF (vector, text as outlines or embedded).
FIGURE_FORMATS = ("png", "svg", "pdf")

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
    import matplotlib
    import matplotlib.pyplot as plt

    name, _ = cjk_font()
    # concrete family names, not "sans-serif": a generic family is looked up again when the
    # figure is drawn, perhaps after this context has ended
    with plt.rc_context({"font.family": [name, "DejaVu Sans"],
                         "axes.unicode_minus": False, "figure.dpi": 100}):
        yield plt
        # the first figure may load the backend, and Jupyter's inline backend then turns interactive mode on;
        # rc_context would restore the old "off", and later figures would not show in the notebook
        interactive = matplotlib.is_interactive()
    matplotlib.interactive(interactive)


def _figure_of(ax):
    """The (root) figure of an Axes, also when it sits in a subfigure."""
    try:
        return ax.get_figure(root=True)
    except TypeError:  # matplotlib < 3.10
        fig = ax.figure
        while getattr(fig, "figure", fig) is not fig:
            fig = fig.figure
        return fig


def _given_axes(ax, n_panels: int, plot: str, what: str) -> list:
    """The caller's Axes for a plot of ``n_panels`` panels: one each, or a clear error."""
    from matplotlib.axes import Axes

    axes = [ax] if isinstance(ax, Axes) else list(np.asarray(ax, dtype=object).ravel())
    if not all(isinstance(a, Axes) for a in axes):
        raise TypeError(f"{plot}: ax must be a matplotlib Axes or a sequence of Axes, got {type(ax).__name__}")
    if len(axes) != n_panels:
        raise ValueError(f"{plot} draws {n_panels} panel{'s' if n_panels != 1 else ''} (one per {what}); "
                         f"got {len(axes)} Axes: pass exactly one Axes per panel")
    return axes


def _cjk_axes(axes) -> None:
    """Set the CJK font on the texts of Axes made outside :func:`_style` (the caller's)."""
    name, _ = cjk_font()
    family = [name, "DejaVu Sans"]
    for ax in axes:
        ax.tick_params(axis="both", which="both", labelfontfamily=name)
        for text in ax.get_xticklabels() + ax.get_yticklabels() + [ax.title, ax.xaxis.label, ax.yaxis.label]:
            text.set_fontfamily(family)


def _grid(n_panels: int, *, panel_w: float, panel_h: float, max_cols: int = 4, ax=None, plot: str = "this plot",
          what: str = "group"):
    """A grid of panels, or the caller's Axes (``ax``): ``(figure, axes, ours)``.

    Lay our own grid out with :func:`_finish` once its texts are set.
    """
    if n_panels < 1:
        raise ValueError(f"plots.{plot}: the table has no {what} to draw (it is empty)")
    if ax is not None:
        axes = _given_axes(ax, n_panels, plot, what)
        return _figure_of(axes[0]), axes, False
    import matplotlib.pyplot as plt

    cols = max(1, min(max_cols, n_panels, math.ceil(math.sqrt(n_panels * 1.5))))
    rows = math.ceil(n_panels / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(panel_w * cols, panel_h * rows), squeeze=False)
    flat = axes.ravel()
    for extra in flat[n_panels:]:
        extra.set_visible(False)
    fig._policytext_grid = (rows, cols)
    return fig, list(flat[:n_panels]), True


def _finish(fig, axes, ours: bool, title: str | None = None) -> None:
    """Title and lay out a grid of our own; on the caller's Axes, only make sure Chinese renders."""
    if ours:
        if title:
            fig.suptitle(title)
        _arrange(fig)
    else:
        _cjk_axes(axes)


def _regrid(fig, axes, rows: int, cols: int) -> None:
    """Move the panels into a grid of ``rows`` x ``cols``; drop the hidden filler panels."""
    from matplotlib.gridspec import GridSpec

    spec = GridSpec(rows, cols, figure=fig)
    for i, ax in enumerate(axes):
        ax.set_subplotspec(spec[i // cols, i % cols])
    for ax in [a for a in fig.axes if not a.get_visible()]:
        fig.delaxes(ax)
    fig._policytext_grid = (rows, cols)


def _wrap_title(text, width_px: float, renderer) -> None:
    """Break the lines of a title that is wider than ``width_px``."""
    have = text.get_window_extent(renderer).width
    if have <= width_px or not text.get_text():
        return
    lines = text.get_text().split("\n")
    chars = max(20, int(max(len(line) for line in lines) * width_px / have * 0.95))
    text.set_text("\n".join(textwrap.fill(line, chars) for line in lines))


def _arrange(fig, pad: float = 6.0, max_width: float = PAGE_WIDTH) -> None:
    """Columns, margins and gaps of a grid from the sizes of its texts, measured once.

    The grid keeps as many columns as fit into ``max_width`` inches (each panel
    as wide as its labels need and an axes of about 1.2 inches), and grows
    taller instead. matplotlib's constrained layout gets the margins by
    measuring every text several times; on figures with hundreds of Chinese
    labels that was most of the time spent on a report's figures.
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
    w_px, h_px = fig.get_size_inches() * fig.dpi
    head0 = (fig._suptitle.get_window_extent(renderer).height + 2 * pad) if fig._suptitle is not None else pad
    # the width of a panel: as asked, at least what its labels need, and no more than the page allows
    cell_w, cell_h = w_px / cols, (h_px - head0) / rows
    need_w, need_h = left + right + max(80.0, 1.2 * fig.dpi), below + above + 40
    cell_w = max(cell_w, need_w)
    page = max_width * fig.dpi
    if cols * cell_w > page:
        fit = max(1, min(cols, int(page // need_w)))
        cell_w = max(need_w, min(cell_w, page / fit))
        if fit != cols:
            rows, cols = math.ceil(len(axes) / fit), fit
            _regrid(fig, axes, rows, cols)
        if cell_w * cols > page:
            logger.info("the labels of a panel need %.1f in; the figure is wider than the page", cell_w / fig.dpi)
    w_px = cell_w * cols
    if fig._suptitle is not None:
        _wrap_title(fig._suptitle, w_px - 2 * pad, renderer)
    head = (fig._suptitle.get_window_extent(renderer).height + 2 * pad) if fig._suptitle is not None else pad
    cell_h = max(cell_h, need_h)
    h_px = cell_h * rows + head
    fig.set_size_inches(w_px / fig.dpi, h_px / fig.dpi)
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


def _grouping_column(table: pd.DataFrame, by: str | None) -> str:
    """The grouping column of a table of the package: ``by`` if given, else the table's first column (every
    table of policytext puts its grouping column first)."""
    if by is not None:
        if by not in table.columns:
            raise KeyError(f"by={by!r}: the table has no such column; its columns are {list(table.columns)}")
        return by
    if table.columns.empty:
        raise ValueError("the table has no columns")
    return str(table.columns[0])


def _pair_by(table: pd.DataFrame, by: str | None) -> str:
    """The grouping column of a table of pairs of groups (``<by>_a``, ``<by>_b``): given, or from its first column."""
    if by is not None:
        return by
    first = str(table.columns[0])
    if not first.endswith("_a"):
        raise ValueError(f"a table of pairs of groups starts with <by>_a; this one starts with {first!r}: give by=")
    return first[:-2]


def top_terms(table: pd.DataFrame, *, by: str | None = None, n: int = 10, value: str = "per_10k", ax=None):
    """Faceted bars of the top terms per group (a :func:`policytext.term_frequency` or ``top_terms`` table).

    Groups flagged in a ``single_document`` column (join
    :func:`policytext.group_sizes`) are titled "(1 doc)".

    Parameters
    ----------
    table : DataFrame
        Columns ``by``, ``term``, ``rank`` and ``value``.
    ax : sequence of Axes, optional
        One Axes per group, in the order of the sorted group names; default: a new figure.

    Returns
    -------
    Figure

    Examples
    --------
    >>> t = pd.DataFrame({"province": ["鄂", "鄂", "川"], "term": ["数据", "平台", "安全"], "n": [3, 1, 2],
    ...                   "per_10k": [7500.0, 2500.0, 10000.0], "rank": [1, 2, 1]})
    >>> top_terms(t).axes[0].get_title()
    '川'
    >>> import matplotlib.pyplot as plt
    >>> fig, axes = plt.subplots(1, 2)
    >>> top_terms(t, ax=axes) is fig
    True
    """
    by = _grouping_column(table, by)
    with _style():
        groups = _groups(table, by)
        singles = _single_documents(table, by)
        fig, axes, ours = _grid(len(groups), panel_w=3.4, panel_h=0.28 * n + 0.9, ax=ax, plot="top_terms", what=by)
        for ax_, group in zip(axes, groups):
            part = table[table[by].astype(str) == group].sort_values("rank", kind="stable").head(n)
            y = np.arange(len(part))
            ax_.barh(y, part[value].to_numpy(), color="#4C72B0")
            ax_.set_yticks(y, part["term"].astype(str).tolist())
            ax_.set_ylim(len(part) - 0.5, -0.5)  # the most frequent on top
            ax_.set_title(_label(group, singles))
            ax_.set_ylabel("")
            ax_.set_xlabel("per 10,000 tokens" if value == "per_10k" else value)
        _finish(fig, axes, ours, f"Most frequent terms by {by}" + ("\n(1 doc): a single document" if singles else ""))
    return fig


def keyness(table: pd.DataFrame, *, by: str | None = None, n: int = 8, ax=None):
    """Diverging bars of log ratio for each group's most over- and under-used terms, G² in the label.

    A group with a single document has "(1 doc)" in its title; the x axis
    names what each group is compared with (the ``reference`` column).
    Terms whose document-level permutation test (``p_perm_adjusted``, where
    computed) is below 0.05 are marked with an asterisk.

    Parameters
    ----------
    table : DataFrame
        From :func:`policytext.keyness`.
    n : int
        Terms shown on each side (over- and under-used).
    ax : sequence of Axes, optional
        One Axes per group, in the order of the sorted group names; default: a new figure.

    Returns
    -------
    Figure
    """
    by = _grouping_column(table, by)
    with _style():
        groups = _groups(table, by)
        singles = _single_documents(table, by)
        fig, axes, ours = _grid(len(groups), panel_w=3.8, panel_h=0.22 * 2 * n + 0.9, ax=ax, plot="keyness", what=by)
        for ax_, group in zip(axes, groups):
            part = table[table[by].astype(str) == group]
            over = part[part["direction"] == "over"].nlargest(n, "g2")
            under = part[part["direction"] == "under"].nlargest(n, "g2")
            show = pd.concat([over, under]).sort_values("log_ratio")
            marks = (["*" if p < 0.05 else "" for p in show["p_perm_adjusted"].fillna(1.0)]
                     if "p_perm_adjusted" in show else [""] * len(show))
            labels = [f"{t}{m} (G²={g:.1f})" for t, m, g in zip(show["term"], marks, show["g2"])]
            colors = np.where(show["log_ratio"] > 0, "#C44E52", "#4C72B0")
            ax_.barh(range(len(show)), show["log_ratio"], color=colors)
            ax_.set_yticks(range(len(show)), labels, fontsize=8)
            ax_.axvline(0, color="black", linewidth=0.8)
            ax_.set_title(_label(group, singles))
            reference = part["reference"].iloc[0] if "reference" in part and len(part) else "(rest)"
            ax_.set_xlabel("log2 ratio against " + ("the rest" if reference == "(rest)" else str(reference)))
        title = f"Keyness by {by}"
        if "p_perm_adjusted" in table and table["p_perm_adjusted"].notna().any():
            title += " (* document permutation test, BH-adjusted p < 0.05)"
        if singles:
            title += "\n(1 doc): a single document, its G² rests on tokens only"
        _finish(fig, axes, ours, title)
    return fig


def _text_inches(labels, points: float) -> float:
    """About the width in inches of the longest label at ``points``: CJK characters 1 em, others 0.6 em."""
    def ems(s):
        return sum(1.0 if ord(ch) > 0x2E80 else 0.6 for ch in str(s))

    return max([ems(s) for s in labels] or [0.0]) * points / 72


def _heatmap_font(cell_inches: float) -> float:
    """Tick-label size for cells ``cell_inches`` wide: as large as fits, 10 points at most, never below MIN_FONT."""
    return float(np.clip(cell_inches * 72 / 1.6, MIN_FONT, 10.0))


def _heatmap_cell(n: int, room: float, largest: float = 0.6) -> float:
    """Width of a heatmap cell (inches): ``room`` shared by ``n`` cells, at least wide enough for a MIN_FONT label."""
    return float(np.clip(room / max(1, n), MIN_FONT * 1.6 / 72, largest))


def _cluster_order(matrix: pd.DataFrame) -> list:
    """The labels of a similarity matrix in the leaf order of its average-linkage clustering.

    Distances are ``1 - similarity``; the leaves are put in optimal order
    (neighbours as similar as can be). The matrix is sorted by label first, so
    the order does not depend on the order it came in.
    """
    labels = sorted(matrix.index, key=str)
    if len(labels) < 3:
        return labels
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    values = matrix.loc[labels, labels].to_numpy(dtype=float)
    distance = np.clip(1.0 - (values + values.T) / 2, 0.0, None)
    distance = np.nan_to_num(distance, nan=float(np.nanmax(distance)) if np.isfinite(distance).any() else 1.0)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average", optimal_ordering=True)
    return [labels[i] for i in leaves_list(tree)]


def similarity(matrix: pd.DataFrame, *, title: str = "Cosine similarity", n_docs=None, order: str = "cluster",
               ax=None):
    """Heatmap of a square similarity matrix (``policytext.similarity(..., matrix=True)``).

    Parameters
    ----------
    matrix : DataFrame
        Square, labelled alike on both axes.
    n_docs : mapping or Series, optional
        Documents per group (e.g. ``group_sizes(tokens, by=by).set_index(by)["n_docs"]``): each label
        then says how many documents its group has.
    order : {"cluster", "given"}
        ``cluster`` (default): groups in the leaf order of a hierarchical
        clustering (average linkage on ``1 - similarity``, optimal leaf
        ordering), so that similar groups sit together; the same matrix always
        gives the same order. ``given``: the order of ``matrix``.
    ax : Axes, optional
        Draw into this Axes (the colour bar takes room beside it); default: a new figure.

    Returns
    -------
    Figure

    Examples
    --------
    >>> names = ["甲", "乙", "丙", "丁"]
    >>> m = pd.DataFrame([[1, .2, .9, .1], [.2, 1, .1, .8], [.9, .1, 1, .2], [.1, .8, .2, 1]],
    ...                  index=names, columns=names)
    >>> fig = similarity(m, n_docs={"甲": 1, "乙": 2, "丙": 2, "丁": 3})
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['丙 (2 docs)', '甲 (1 doc)', '乙 (2 docs)', '丁 (3 docs)']
    """
    import seaborn as sns

    if order not in ("cluster", "given"):
        raise ValueError(f"order must be 'cluster' or 'given', got {order!r}")
    with _style() as plt:
        shown = matrix.copy()
        if order == "cluster":
            labels = _cluster_order(shown)
            shown = shown.loc[labels, labels]
        if n_docs is not None:
            counts = {str(g): int(c) for g, c in dict(n_docs).items()}
            names = [f"{g} ({counts[str(g)]} doc{'s' if counts[str(g)] != 1 else ''})" if str(g) in counts else str(g)
                     for g in shown.index]
            shown.index, shown.columns = names, names
        n = len(shown)
        margin = _text_inches(shown.index, 10.0) + 0.4
        cell = _heatmap_cell(n, PAGE_WIDTH - margin - 1.0)
        font = _heatmap_font(cell)
        margin = _text_inches(shown.index, font) + 0.4
        if ax is None:
            fig, ax = plt.subplots(figsize=(max(4.0, margin + 1.0 + cell * n), max(3.5, margin + 0.6 + cell * n)),
                                   layout="constrained")
            ours = True
        else:
            fig, ours = _figure_of(ax), False
            _cjk_axes([ax])  # before seaborn measures the labels
        annotate = n <= 12
        sns.heatmap(shown, ax=ax, cmap="viridis", vmin=0, vmax=1, square=True, xticklabels=True, yticklabels=True,
                    annot=annotate, fmt=".2f", annot_kws={"fontsize": max(MIN_FONT, font - 1)},
                    cbar_kws={"shrink": 0.7})
        ax.tick_params(axis="both", labelsize=font)
        ax.tick_params(axis="x", labelrotation=90 if _text_inches(shown.columns, font) > 0.9 * cell else 0)
        ax.tick_params(axis="y", labelrotation=0)
        ax.set_title(title)
        ax.set_xlabel("")
        ax.set_ylabel("")
        if not ours:
            _cjk_axes([ax])
    return fig


def emphasis_heatmap(table: pd.DataFrame, *, by: str | None = None, value: str = "per_10k",
                     scale: str = "dimension", ax=None):
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
    ax : Axes, optional
        Draw into this Axes (the colour bar takes room beside it); default: a new figure.

    Returns
    -------
    Figure
    """
    by = _grouping_column(table, by)
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
        what = "hits per 10,000 tokens" if value == "per_10k" else "share of the group's lexicon hits"
        title = f"Policy emphasis ({what}" + ("; colours scaled within each dimension)" if scale == "dimension"
                                             else ")")
        n_cols, n_rows = wide.shape[1], wide.shape[0]
        left = _text_inches(wide.index, 10.0) + 0.5
        cell = _heatmap_cell(n_cols, PAGE_WIDTH - left - 1.3, largest=0.75)
        font = _heatmap_font(cell)
        annotate = n_cols <= 14
        if ax is None:
            width = max(5.0, left + 1.3 + cell * n_cols)
            title = "\n".join(textwrap.fill(line, max(30, int(width * 72 / 7))) for line in title.split("\n"))
            below = _text_inches(wide.columns, font) + 0.6
            fig, ax = plt.subplots(figsize=(width, max(3.5, 0.45 * n_rows + below + 0.4 * (title.count("\n") + 2))),
                                   layout="constrained")
            ours = True
        else:
            fig, ours = _figure_of(ax), False
            _cjk_axes([ax])  # before seaborn measures the labels
        sns.heatmap(colours, ax=ax, annot=wide if annotate else False, xticklabels=True, yticklabels=True,
                    fmt=".0f" if value == "per_10k" else ".2f",
                    annot_kws={"fontsize": max(MIN_FONT, min(10.0, cell * 72 / 3.2))}, **kwargs)
        ax.tick_params(axis="x", labelsize=font,
                       labelrotation=90 if _text_inches(wide.columns, font) > 0.9 * cell else 0)
        ax.tick_params(axis="y", labelsize=max(font, 9.0), labelrotation=0)
        ax.set_xlabel(by)
        ax.set_ylabel("")
        if singles:
            title += "\n(1 doc): a single document"
        ax.set_title(title)
        if not ours:
            _cjk_axes([ax])
    return fig


def _intervals(table, *, panel_col, y_col, value, low, high, xlabel, title, ax=None, plot="this plot",
               what="panel"):
    with _style():
        singles = _single_documents(table, y_col)
        panels = list(dict.fromkeys(table[panel_col]))
        n_y = table[y_col].astype(str).nunique()
        fig, axes, ours = _grid(len(panels), panel_w=3.2, panel_h=0.25 * n_y + 1.0, max_cols=5, ax=ax, plot=plot,
                                what=what)
        for ax_, panel in zip(axes, panels):
            part = table[table[panel_col] == panel].assign(_y=lambda t: t[y_col].astype(str)).sort_values("_y")
            y = np.arange(len(part))
            err = np.vstack([part[value] - part[low], part[high] - part[value]])
            single = part["_y"].isin(singles).to_numpy()
            for mask, face in ((~single, "#4C72B0"), (single, "white")):
                if mask.any():
                    ax_.errorbar(part[value].to_numpy()[mask], y[mask], xerr=np.nan_to_num(err[:, mask]), fmt="o",
                                 color="#4C72B0", markerfacecolor=face, ecolor="#999999", capsize=2, markersize=4)
            ax_.set_yticks(y, [_label(g, singles) for g in part["_y"]], fontsize=8)
            ax_.invert_yaxis()
            ax_.set_title(str(panel), fontsize=10)
            ax_.set_xlabel(xlabel, fontsize=8)
            ax_.tick_params(axis="x", labelsize=8)
        if singles:
            title += "\nhollow, (1 doc): a single document: its interval cannot show variation between documents"
        _finish(fig, axes, ours, title)
    return fig, axes


def _basis(table: pd.DataFrame) -> str:
    """What the intervals rest on, for a title: documents, paragraphs or tokens."""
    if "interval_basis" not in table:
        return ""
    kinds = {b.split(":")[0].split(" ")[0] for b in table["interval_basis"].dropna().astype(str)}
    kinds = [k for k in ("documents", "paragraphs", "tokens") if k in kinds]
    return f" (resampling {', '.join(kinds)})" if kinds else ""


def emphasis_intervals(table: pd.DataFrame, *, by: str | None = None, value: str = "per_10k", ax=None):
    """Points and bootstrap intervals of emphasis, one panel per dimension.

    Parameters
    ----------
    table : DataFrame
        From :func:`policytext.emphasis`.
    ax : sequence of Axes, optional
        One Axes per dimension, in the order of the table; default: a new figure.

    Returns
    -------
    Figure
    """
    by = _grouping_column(table, by)
    low, high = (f"{value}_low", f"{value}_high")
    basis = _basis(table)
    return _intervals(table, panel_col="label", y_col=by, value=value, low=low, high=high,
                      xlabel="per 10,000 tokens" if value == "per_10k" else value,
                      title=f"Policy emphasis with 95% intervals{basis}", ax=ax, plot="emphasis_intervals",
                      what="dimension")[0]


#: Most ticks on the log axis of :func:`rate_ratios`, so that their labels do not collide in a panel.
RATIO_TICKS = 6


def _ratio_limits(values, floor: float, pad: float = 1.25) -> tuple[float, float]:
    """Limits of a log axis of ratios: every finite value above the floor, and 1 (the reference), with room."""
    v = np.asarray(values, dtype=float)
    v = np.clip(v[np.isfinite(v)], floor, None)
    lo, hi = min(float(v.min()) if v.size else 1.0, 1.0), max(float(v.max()) if v.size else 1.0, 1.0)
    return lo / pad, hi * pad


def _ratio_ticks(lo: float, hi: float, most: int = RATIO_TICKS) -> list[float]:
    """Ratios to label on a log axis from ``lo`` to ``hi``, all of them numbers a reader knows.

    The finest of 1-1.5-2-3-5-7, 1-2-5, 1-3 per decade, then every decade, every
    second decade ... that puts at most ``most`` ticks inside; a span too narrow for
    three of them gets evenly spaced ticks (0.96, 0.98, 1, 1.02 ...).
    """
    from matplotlib.ticker import MaxNLocator

    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    sets = [((1, 1.5, 2, 3, 5, 7), 1), ((1, 2, 5), 1), ((1, 3), 1)]
    sets += [((1,), step) for step in range(1, max(1, last - first) + 1)]
    inside: list[float] = []
    for mantissas, step in sets:
        inside = [float(f"{m}e{d}") for d in range(first, last + 1) if d % step == 0 for m in mantissas]
        inside = [t for t in inside if lo <= t <= hi]
        if len(inside) <= most:
            break
    if len(inside) < 3:
        inside = [float(t) for t in MaxNLocator(nbins=4, steps=[1, 2, 2.5, 5, 10]).tick_values(lo, hi)
                  if lo <= t <= hi]
    return inside


def _ratio_label(value: float, _pos=None) -> str:
    """A ratio as a plain number: 0.5, 1, 2, 100, 0.001 (powers of ten beyond 10^±5 as 1e-06)."""
    if value <= 0 or not np.isfinite(value):
        return ""
    if 1e-5 <= value < 1e6:
        return np.format_float_positional(value, precision=4, unique=True, fractional=False, trim="-")
    return f"{value:.0e}"


def _not_estimable_text(table: pd.DataFrame, most: int = 8) -> str:
    """Why no rate ratio could be estimated: the clauses of the table's notes, each once; the notes' first clauses
    (their reason) first, the commoner first."""
    notes = table["note"].dropna().astype(str) if "note" in table else pd.Series(dtype=str)
    clauses = pd.DataFrame([(c.strip(), i) for note in notes for i, c in enumerate(note.split("; ")) if c.strip()],
                           columns=["clause", "place"])
    if clauses.empty:
        return "No rate ratio could be estimated, and the table gives no reason (it has no note)."
    ranked = clauses.groupby("clause", sort=False).agg(place=("place", "min"), n=("place", "size"))
    order = ranked.assign(minus_n=-ranked["n"]).sort_values(["place", "minus_n"], kind="stable").index
    lines = ["No rate ratio could be estimated. The table's note says:"]
    lines += [textwrap.fill(c, 72, initial_indent="- ", subsequent_indent="  ") for c in order[:most]]
    if len(order) > most:
        lines.append(f"... and {len(order) - most} more: see the table's note column")
    return "\n".join(lines)


def rate_ratios(table: pd.DataFrame, *, labels: dict | None = None, sharex: bool = False,
                limits: tuple[float, float] | None = None, ax=None):
    """Rate ratios against the reference with their intervals, one panel per feature (a forest plot).

    Takes the table of :func:`policytext.compare_rates`; the x axis is
    logarithmic with its ticks at plain ratios (0.5, 1, 2, 5 ...), the dashed
    line marks a ratio of 1 (the reference). Groups with a single document
    are drawn hollow and marked "(1 doc)"; a group without hits (rate ratio
    0) is listed at the left edge. Features without any estimate are named
    in the title. When no row has a rate ratio (one document per group, say),
    the figure has one panel that says why, from the table's ``note``
    column, instead of empty axes.

    Parameters
    ----------
    labels : dict, optional
        Display names of the features (e.g. dimension -> label).
    sharex : bool
        One scale for every panel (the range of all of them), so that the
        panels can be compared at a glance; default: each panel its own.
    limits : (low, high), optional
        The range of the x axis of every panel, e.g. ``(0.25, 4)`` to draw
        several figures on one scale (implies ``sharex``). An interval that
        runs beyond it stops at the edge; an estimate beyond it is drawn as
        a triangle at the edge, pointing the way it lies.
    ax : sequence of Axes, optional
        One Axes per feature with a rate ratio, in the order of the table
        (one Axes for the message when there is none); default: a new figure.

    Returns
    -------
    Figure

    Examples
    --------
    >>> table = pd.DataFrame({"feature": ["data", "data", "talent", "talent"], "level": ["A", "B", "A", "B"],
    ...                       "reference": "C", "rate_ratio": [0.5, 2.0, 1.2, 3.0], "low": [0.3, 1.1, 0.8, 1.5],
    ...                       "high": [0.9, 3.5, 1.9, 6.0], "n_docs": 4, "note": ""})
    >>> fig = rate_ratios(table, sharex=True)
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['0.5', '1', '2', '5']
    >>> fig.axes[0].get_xlim() == fig.axes[1].get_xlim()
    True
    """
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    if limits is not None:
        lo_, hi_ = (float(v) for v in limits)
        if not (0 < lo_ < hi_ < math.inf):
            raise ValueError(f"rate_ratios: limits must be two ratios 0 < low < high, got {limits!r}")
        limits = (lo_, hi_)
    with _style():
        data = table[table["rate_ratio"].notna()].copy()
        reference = ", ".join(sorted(set(table["reference"].astype(str))))
        if data.empty:
            message = _not_estimable_text(table)
            fig, axes, ours = _grid(1, panel_w=6.5, panel_h=0.17 * (message.count("\n") + 1) + 0.6, max_cols=1,
                                    ax=ax, plot="rate_ratios", what="feature")
            ax_ = axes[0]
            ax_.text(0.0, 1.0, message, transform=ax_.transAxes, ha="left", va="top", fontsize=9)
            ax_.set_xticks([])
            ax_.set_yticks([])
            for spine in ax_.spines.values():
                spine.set_visible(False)
            if not ours:
                ax_.set_title("Rate ratios: none estimated", fontsize=10)
            _finish(fig, axes, ours, f"Rate ratios against {reference}: none could be estimated")
            return fig
        data["_g"] = data["level"].astype(str)
        singles = set(data.loc[data["n_docs"] == 1, "_g"])
        features = list(dict.fromkeys(data["feature"]))
        missing = [f for f in dict.fromkeys(table["feature"]) if f not in set(features)]
        n_y = data["_g"].nunique()
        fig, axes, ours = _grid(len(features), panel_w=3.3, panel_h=0.25 * n_y + 1.1, max_cols=4, ax=ax,
                                plot="rate_ratios", what="feature")
        positive = data.loc[data["rate_ratio"] > 0, ["low", "rate_ratio"]].to_numpy().ravel()
        positive = positive[np.isfinite(positive) & (positive > 0)]
        floor = float(positive.min()) / 2 if len(positive) else 0.1
        if limits is None and sharex:
            limits = _ratio_limits(data[["rate_ratio", "low", "high"]].to_numpy(), floor)
        for ax_, feature in zip(axes, features):
            part = data[data["feature"] == feature].sort_values("_g")
            lo_, hi_ = limits or _ratio_limits(part[["rate_ratio", "low", "high"]].to_numpy(), floor)
            y = np.arange(len(part))
            raw = part["rate_ratio"].clip(lower=floor).to_numpy(dtype=float)
            est = np.clip(raw, lo_, hi_)
            low = np.clip(part["low"].clip(lower=floor).to_numpy(dtype=float), lo_, hi_)
            high = np.clip(part["high"].clip(lower=floor).to_numpy(dtype=float), lo_, hi_)
            single = part["_g"].isin(singles).to_numpy()
            err = np.nan_to_num(np.vstack([est - low, high - est]).clip(min=0))
            for mask, face in ((~single, "#4C72B0"), (single, "white")):
                for side, marker in ((raw < lo_, "<"), (raw > hi_, ">"), ((raw >= lo_) & (raw <= hi_), "o")):
                    if (mask & side).any():
                        ax_.errorbar(est[mask & side], y[mask & side], xerr=err[:, mask & side], fmt=marker,
                                     color="#4C72B0", markerfacecolor=face, ecolor="#999999", capsize=2,
                                     markersize=4)
            ax_.axvline(1.0, color="#C44E52", linestyle="--", linewidth=1)
            ax_.set_xscale("log")
            ax_.set_xlim(lo_, hi_)
            ax_.xaxis.set_major_locator(FixedLocator(_ratio_ticks(lo_, hi_)))
            ax_.xaxis.set_major_formatter(FuncFormatter(_ratio_label))
            ax_.xaxis.set_minor_locator(NullLocator())
            ax_.set_yticks(y, [_label(g, singles) for g in part["_g"]], fontsize=8)
            ax_.invert_yaxis()
            ax_.set_title(str((labels or {}).get(feature, feature)), fontsize=10)
            ax_.set_xlabel("rate ratio (log scale)", fontsize=8)
            ax_.tick_params(axis="x", labelsize=8)
        title = f"Rate ratios against {reference}, 95% intervals (documents as units)"
        if limits is not None:
            title += "; one scale for every panel"
        if singles:
            title += "\nhollow, (1 doc): a single document, its interval rests on the other documents' dispersion"
        if missing:
            names = ", ".join(str((labels or {}).get(f, f)) for f in missing)
            title += f"\nnot estimated (see the table's note): {names}"
        _finish(fig, axes, ours, title)
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


def topic_prevalence(table: pd.DataFrame, *, by: str | None = None, labels: pd.DataFrame | None = None, ax=None):
    """Topic prevalence by group with intervals, one panel per topic (labelled by top terms if given).

    Topics flagged unstable (a ``stable`` column of the table or of the
    labels) carry "[unstable]" in their panel title.

    Parameters
    ----------
    table : DataFrame
        From :func:`policytext.topic_prevalence`.
    labels : DataFrame, optional
        ``model.labels()``: panel titles from the topics' top terms.
    ax : sequence of Axes, optional
        One Axes per topic, in the order of the table; default: a new figure.

    Returns
    -------
    Figure
    """
    by = _grouping_column(table, by)
    data = table.copy()
    stable = _stable_of(table, labels)
    names = _topic_names(labels, stable)
    data["topic"] = data["topic"].map(lambda t: names.get(t, f"topic {t}"))
    title = f"Topic prevalence with 95% bootstrap intervals{_basis(table)} (a description)"
    if any(v is False for v in stable.values()):
        title += "\n[unstable]: the topic does not recur when the model is fitted with other seeds"
    return _intervals(data, panel_col="topic", y_col=by, value="prevalence", low="low", high="high",
                      xlabel="prevalence", title=title, ax=ax, plot="topic_prevalence", what="topic")[0]


def topic_effects(table: pd.DataFrame, *, labels: pd.DataFrame | None = None, ax=None):
    """Effects of a covariate on topic shares (:func:`policytext.estimate_effects`), one panel per topic.

    Points are differences in the expected document share against the
    reference, bars their 95% intervals; single-document levels are hollow
    and marked "(1 doc)", unstable topics "[unstable]" in their title.

    Parameters
    ----------
    labels : DataFrame, optional
        ``model.labels()``: panel titles from the topics' top terms.
    ax : sequence of Axes, optional
        One Axes per topic, in the order of the table; default: a new figure.

    Returns
    -------
    Figure
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
    fig, axes = _intervals(data.rename(columns={"level": "_level"}), panel_col="panel", y_col="_level",
                           value="estimate", low="low", high="high", xlabel="difference in share", title=title, ax=ax,
                           plot="topic_effects", what="topic")
    for ax_ in axes:
        ax_.axvline(0.0, color="#C44E52", linestyle="--", linewidth=1)
    return fig


#: The criteria :func:`coherence` draws, in order, when the sweep has them.
SWEEP_PANELS = ("heldout_loglik", "perplexity", "c_npmi", "u_mass", "c_v", "exclusivity", "stability", "unstable_share")


def coherence(sweep: pd.DataFrame, *, ax=None):
    """The criteria of :func:`policytext.lda_sweep` against k; the recommended k marked.

    One panel per criterion (held-out log-likelihood, perplexity, coherence,
    exclusivity, stability, share of unstable topics); the dashed line is the
    recommended k, and the title says when it lies at the edge of the grid
    or when no k is recommended.

    Parameters
    ----------
    sweep : DataFrame
        From :func:`policytext.lda_sweep`.
    ax : sequence of Axes, optional
        One Axes per criterion present in the sweep, in the order of
        :data:`SWEEP_PANELS`; default: a new figure.

    Returns
    -------
    Figure

    Examples
    --------
    >>> sweep = pd.DataFrame({"k": [2, 3, 4], "c_npmi": [0.1, 0.3, 0.2], "recommended": [False, True, False]})
    >>> [ax.get_title() for ax in coherence(sweep).axes if ax.get_visible()]
    ['c_npmi']
    """
    measures = [c for c in SWEEP_PANELS if c in sweep.columns and sweep[c].notna().any()]
    with _style():
        fig, axes, ours = _grid(len(measures), panel_w=3.2, panel_h=2.6, max_cols=4, ax=ax, plot="coherence",
                                what="criterion")
        best = sweep.loc[sweep["recommended"], "k"] if "recommended" in sweep else pd.Series(dtype=int)
        for ax_, m in zip(axes, measures):
            ax_.plot(sweep["k"], sweep[m], "o-", color="#4C72B0")
            for k in best:
                ax_.axvline(k, color="#C44E52", linestyle="--", linewidth=1)
            ax_.set_title(m)
            ax_.set_xlabel("k")
        title = "Choosing the number of topics (dashed: recommended)"
        if "recommended" in sweep and not best.size:
            title = ("Choosing the number of topics: no k of the grid is recommended\n"
                     "(too many unstable topics at every k)")
        elif "at_edge" in sweep and sweep["at_edge"].any():
            title += "\nthe recommended k is at the edge of the grid: the best k may lie outside it"
        _finish(fig, axes, ours, title)
    return fig


def topic_terms(table: pd.DataFrame, *, n: int = 10, ax=None):
    """Bars of the top terms of each topic (``model.topic_terms()``); unstable topics marked.

    Parameters
    ----------
    table : DataFrame
        ``topic``, ``term``, ``beta`` (and optionally ``stable``).
    ax : sequence of Axes, optional
        One Axes per topic, in the order of the topic numbers; default: a new figure.

    Returns
    -------
    Figure
    """
    stable = _stable_of(table)
    with _style():
        topics = sorted(table["topic"].unique())
        fig, axes, ours = _grid(len(topics), panel_w=3.0, panel_h=0.26 * n + 0.9, ax=ax, plot="topic_terms",
                                what="topic")
        for ax_, t in zip(axes, topics):
            part = table[table["topic"] == t].nlargest(n, "beta").iloc[::-1]
            unstable = stable.get(t) is False
            ax_.barh(part["term"], part["beta"], color="#BBBBBB" if unstable else "#55A868")
            ax_.set_title(f"topic {t}" + (UNSTABLE_MARK if unstable else ""))
            ax_.set_xlabel("probability")
        title = "Top terms per topic"
        if any(v is False for v in stable.values()):
            title += " (grey, [unstable]: does not recur with other seeds)"
        _finish(fig, axes, ours, title)
    return fig


def wordclouds(table: pd.DataFrame, *, by: str | None = None, n: int = 40, random_state: int = 0, ax=None):
    """A word cloud per group from a :func:`policytext.term_frequency` table, in the CJK font.

    Groups flagged in a ``single_document`` column (join
    :func:`policytext.group_sizes`) are titled "(1 doc)".

    Parameters
    ----------
    ax : sequence of Axes, optional
        One Axes per group, in the order of the sorted group names; default: a new figure.

    Returns
    -------
    Figure
    """
    by = _grouping_column(table, by)
    from wordcloud import WordCloud

    _, font_path = cjk_font()
    with _style():
        groups = _groups(table, by)
        singles = _single_documents(table, by)
        fig, axes, ours = _grid(len(groups), panel_w=3.6, panel_h=2.6, ax=ax, plot="wordclouds", what=by)
        for ax_, group in zip(axes, groups):
            part = table[table[by].astype(str) == group].nlargest(n, "n")
            # a cap on the largest size spares WordCloud its trial layout, and steps of 2 px halve its tries of
            # each word's size: 2.4 times faster on 27 clouds, and as legible
            cloud = WordCloud(font_path=font_path, width=400, height=280, background_color="white",
                              random_state=random_state, prefer_horizontal=1.0, max_font_size=90, font_step=2)
            cloud.generate_from_frequencies(dict(zip(part["term"], part["n"].astype(float))))
            ax_.imshow(cloud.to_array(), interpolation="bilinear")
            ax_.set_title(_label(group, singles))
            ax_.axis("off")
        _finish(fig, axes, ours)
    return fig


# --------------------------------------------------------------------------------------
# Writing figures
# --------------------------------------------------------------------------------------

def _check_format(fmt: str) -> str:
    fmt = str(fmt).lower().lstrip(".")
    if fmt not in FIGURE_FORMATS:
        raise ValueError(f"figure format {fmt!r} is not supported; use one of {', '.join(FIGURE_FORMATS)}")
    return fmt


def figure_bytes(fig, format: str = "png", *, dpi: float = REPORT_DPI) -> bytes:
    """The bytes of a figure as PNG, SVG or PDF: the same figure always gives the same bytes.

    SVG and PDF are vector files (text as outlines in SVG, embedded in PDF);
    neither carries a date, and the SVG's element ids do not vary between runs.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([1, 2])
    >>> figure_bytes(fig, "svg") == figure_bytes(fig, "svg"), figure_bytes(fig, "pdf")[:4]
    (True, b'%PDF')
    """
    import matplotlib

    fmt = _check_format(format)
    metadata = {"png": None, "svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None}}[fmt]
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "policytext", "svg.fonttype": "path"}):
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=metadata)
    return buffer.getvalue()


def save_figure(fig, path: str | Path, *, formats: str | Sequence[str] | None = None,
                dpi: float = REPORT_DPI) -> list[Path]:
    """Write a figure as PNG and/or vector SVG and PDF; return the paths written.

    Parameters
    ----------
    fig : Figure
        Any matplotlib figure, e.g. from a function of this module.
    path : str or Path
        The file, or its name without suffix: a suffix that is one of
        :data:`FIGURE_FORMATS` is replaced by each format's.
    formats : str or sequence of str, optional
        Some of ``"png"``, ``"svg"``, ``"pdf"``; default: the suffix of
        ``path``, or PNG if it has none.
    dpi : float
        Resolution of the PNG (the vector files scale to any size).

    Returns
    -------
    list of Path

    Examples
    --------
    >>> import tempfile, matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.bar(["2023", "2024"], [3, 5])
    >>> folder = tempfile.mkdtemp()
    >>> [p.name for p in save_figure(fig, f"{folder}/bars", formats=("png", "svg", "pdf"))]
    ['bars.png', 'bars.svg', 'bars.pdf']
    >>> [p.name for p in save_figure(fig, f"{folder}/bars.pdf")]
    ['bars.pdf']
    """
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if formats is None:
        formats = (suffix or "png",)
    elif isinstance(formats, str):
        formats = (formats,)
    formats = [_check_format(f) for f in formats]
    stem = path.with_suffix("") if suffix in FIGURE_FORMATS else path
    stem.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in dict.fromkeys(formats):
        target = stem.with_name(f"{stem.name}.{fmt}")
        write_atomic(target, figure_bytes(fig, fmt, dpi=dpi))
        written.append(target)
    logger.debug("figure written to %s", ", ".join(map(str, written)))
    return written


# --------------------------------------------------------------------------------------
# Co-word networks
# --------------------------------------------------------------------------------------

#: Colours of the communities in :func:`network`, in the order of their numbers; later ones are grey.
COMMUNITY_COLOURS = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3", "#A0CBE8",
                     "#CCB974", "#64B5CD", "#1B9E77", "#D95F02", "#7570B3", "#E7298A", "#66A61E", "#E6AB02")
#: The colour of communities beyond :data:`COMMUNITY_COLOURS` and of the edges between communities.
OTHER_COLOUR = "#BBBBBB"
#: Iterations of the spring layout of :func:`network`, and its spread (the optimal distance times sqrt(nodes)).
LAYOUT_ITERATIONS = 200
LAYOUT_SPREAD = 1.0



@renamed(top_edges="n")
def network(nodes: pd.DataFrame, edges: pd.DataFrame, *, weight: str = "ochiai", n: int | None = 200,
            n_legend: int = 10, random_state: int = 0, ax=None):
    """A co-word network: terms sized by frequency, coloured by community, edges as wide as their weight.

    Takes the tidy tables: the nodes of :func:`policytext.networks.coword_communities`
    and the edges of :func:`policytext.networks.cooccurrence`. Every term of
    ``nodes`` is drawn; of the edges between them, the ``n``
    strongest. The layout is networkx's spring layout (Fruchterman-Reingold)
    on those edges, seeded with ``random_state``: the same tables give the
    same figure. Edges within a community take its colour, edges between
    communities are grey.

    Parameters
    ----------
    nodes : DataFrame
        ``term``, ``community``, ``frequency`` (one group's: with ``by=``,
        the edges are restricted to the nodes' group).
    edges : DataFrame
        ``term_a``, ``term_b`` and the ``weight`` column.
    weight : str
        The edge column drawn as width and used by the layout (edges of
        weight 0 or less are left out, e.g. negative PMI).
    n : int or None
        How many of the strongest edges to draw; None: all of them.
    n_legend : int
        Communities named in the legend (number and three top terms).
    random_state : int
        Seed of the layout.
    ax : Axes, optional
        Draw into this Axes (the legend takes room beside it); default: a new figure.

    Returns
    -------
    Figure

    Examples
    --------
    >>> nodes = pd.DataFrame({"term": ["数据", "平台", "算力", "粮食", "乡村"], "community": [1, 1, 1, 2, 2],
    ...                       "frequency": [9, 6, 4, 5, 3]})
    >>> edges = pd.DataFrame({"term_a": ["平台", "数据", "平台", "乡村", "数据"],
    ...                       "term_b": ["数据", "算力", "算力", "粮食", "粮食"], "ochiai": [0.8, 0.6, 0.5, 0.7, 0.1]})
    >>> fig = network(nodes, edges)
    >>> sorted(t.get_text() for t in fig.axes[0].texts)
    ['乡村', '平台', '数据', '算力', '粮食']
    >>> import matplotlib.pyplot as plt
    >>> fig, (left, right) = plt.subplots(1, 2)
    >>> network(nodes, edges, ax=right) is fig
    True
    """
    import matplotlib.patheffects as effects
    import networkx as nx
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    for col in ("term", "community", "frequency"):
        if col not in nodes.columns:
            raise KeyError(f"network: the nodes table has no column {col!r} (make it with coword_communities)")
    for col in ("term_a", "term_b", weight):
        if col not in edges.columns:
            raise KeyError(f"network: the edges table has no column {col!r} (make it with cooccurrence)")
    # one group: the nodes' group selects the edges' rows
    info = edges.attrs.get("cooccurrence") or {}
    group_cols = [c for c in (info.get("by") or []) if c in edges.columns]
    chosen = edges
    if group_cols:
        if all(c in nodes.columns for c in group_cols) and len(nodes[group_cols].drop_duplicates()) == 1:
            values = nodes[group_cols].iloc[0]
            mask = np.logical_and.reduce([edges[c].astype(str) == str(values[c]) for c in group_cols])
            chosen = edges[mask]
        elif len(edges[group_cols].drop_duplicates()) > 1:
            raise ValueError(f"network: the edges hold several groups ({', '.join(group_cols)}); pass one group's "
                             "edges, or nodes with the group's columns")
    terms = nodes.drop_duplicates("term").sort_values("term", key=lambda s: s.astype(str), kind="stable")
    known = set(terms["term"].astype(str))
    chosen = chosen[chosen["term_a"].astype(str).isin(known) & chosen["term_b"].astype(str).isin(known)]
    chosen = chosen[chosen[weight] > 0]
    among = chosen
    chosen = chosen.sort_values([weight, "term_a", "term_b"], ascending=[False, True, True], kind="stable")
    if n is not None:
        chosen = chosen.head(int(n))
    chosen = chosen.sort_values(["term_a", "term_b"], kind="stable")

    # the layout rests on every edge between the terms (the drawn ones alone would leave most terms adrift)
    layout = pd.concat([chosen, among]).drop_duplicates(["term_a", "term_b"]).sort_values(["term_a", "term_b"],
                                                                                         kind="stable")
    graph = nx.Graph()
    graph.add_nodes_from(terms["term"].astype(str))
    top_weight = float(chosen[weight].max()) if len(chosen) else 1.0
    graph.add_weighted_edges_from((str(a), str(b), float(w) / top_weight)
                                  for a, b, w in layout[["term_a", "term_b", weight]].itertuples(index=False))
    position = nx.spring_layout(graph, weight="weight", seed=random_state, iterations=LAYOUT_ITERATIONS,
                                k=LAYOUT_SPREAD / math.sqrt(max(1, graph.number_of_nodes())))

    community = dict(zip(terms["term"].astype(str), terms["community"].astype(int)))
    numbers = sorted(set(community.values()))

    def colour(c):
        return COMMUNITY_COLOURS[c - 1] if 1 <= c <= len(COMMUNITY_COLOURS) else OTHER_COLOUR

    frequency = dict(zip(terms["term"].astype(str), terms["frequency"].astype(float)))
    most = max(frequency.values()) if frequency else 1.0
    name, _ = cjk_font()
    with _style() as plt:
        if ax is None:
            fig, ax = plt.subplots(figsize=(PAGE_WIDTH, 7.5), layout="constrained")
            ours = True
        else:
            fig, ours = _figure_of(ax), False
        segments, widths, colours = [], [], []
        low = float(chosen[weight].min()) if len(chosen) else 0.0
        for a, b, w in chosen[["term_a", "term_b", weight]].itertuples(index=False):
            a, b = str(a), str(b)
            segments.append([position[a], position[b]])
            share = (float(w) - low) / (top_weight - low) if top_weight > low else 1.0
            widths.append(0.4 + 2.6 * share)
            same = community[a] == community[b]
            colours.append(colour(community[a]) if same else OTHER_COLOUR)
        ax.add_collection(LineCollection(segments, linewidths=widths, colors=colours, alpha=0.45, zorder=1))
        order = list(graph.nodes)
        xy = np.array([position[t] for t in order]) if order else np.zeros((0, 2))
        sizes = [40 + 560 * frequency[t] / most for t in order]
        ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c=[colour(community[t]) for t in order], edgecolors="white",
                   linewidths=0.6, zorder=2)
        halo = [effects.withStroke(linewidth=2.5, foreground="white")]
        for t in order:
            ax.text(*position[t], t, fontsize=7.5 + 3.5 * frequency[t] / most, ha="center", va="center",
                    fontfamily=[name, "DejaVu Sans"], zorder=3, path_effects=halo)
        # the legend: each community's number and three most frequent terms
        handles = []
        for c in numbers[:n_legend]:
            members = terms[terms["community"] == c].sort_values(["frequency", "term"], ascending=[False, True],
                                                                  kind="stable")
            label = f"{c}: " + " · ".join(members["term"].astype(str).head(3)) + f" ({len(members)})"
            handles.append(Line2D([], [], marker="o", linestyle="", markersize=7, color=colour(c), label=label))
        if len(numbers) > n_legend:
            handles.append(Line2D([], [], marker="o", linestyle="", markersize=7, color=OTHER_COLOUR,
                                  label=f"{len(numbers) - n_legend} more communities"))
        if handles:
            ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False,
                      title="community (terms)", title_fontsize=8, prop={"family": [name, "DejaVu Sans"], "size": 8})
        if order:
            ax.update_datalim(xy)
        ax.margins(0.06)
        ax.autoscale_view()
        ax.set_axis_off()
        unit = info.get("unit")
        unit = f"{info.get('window')}-token windows" if unit == "window" else (f"{unit}s" if unit else "units")
        ax.set_title(f"Co-word network: {len(order)} terms, {len(chosen)} strongest edges by {weight}\n"
                     f"node size: {unit} containing the term; colour: community", fontsize=10)
        if not ours:
            _cjk_axes([ax])
    return fig


def reuse_heatmap(table: pd.DataFrame, *, by: str | None = None, value: str = "pairs_with_reuse", ax=None):
    """Heatmap of text reuse between groups: how many of their document pairs share a passage.

    Takes the table of :func:`policytext.reuse.reuse_groups`. Each cell is a
    pair of groups; the diagonal is reuse within a group (empty for a group
    of one document: it has no pair). Groups are ordered by clustering, as in
    :func:`similarity`, and each label says how many documents its group has.

    Parameters
    ----------
    table : DataFrame
        ``<by>_a``, ``<by>_b``, ``documents_a``, ``documents_b``, ``doc_pairs``,
        ``doc_pairs_with_reuse``, ``mean_share_a``, ``mean_share_b``.
    value : {"pairs_with_reuse", "mean_share"}
        ``pairs_with_reuse``: the share of the groups' document pairs that
        share at least one passage; ``mean_share``: the mean share of a
        document's text in a passage, over the document pairs (the mean of the
        two sides).
    ax : Axes, optional
        Draw into this Axes (the colour bar takes room beside it); default: a new figure.

    Returns
    -------
    Figure

    Examples
    --------
    >>> t = pd.DataFrame({"province_a": ["乙", "乙", "甲"], "province_b": ["乙", "甲", "甲"],
    ...                   "documents_a": [2, 2, 1], "documents_b": [2, 1, 1], "doc_pairs": [1, 2, 0],
    ...                   "doc_pairs_with_reuse": [1, 1, 0], "mean_share_a": [.3, .1, np.nan],
    ...                   "mean_share_b": [.2, .2, np.nan]})
    >>> fig = reuse_heatmap(t)
    >>> sorted(t.get_text() for t in fig.axes[0].get_yticklabels())
    ['乙 (2 docs)', '甲 (1 doc)']
    """
    by = _pair_by(table, by)
    if value not in ("pairs_with_reuse", "mean_share"):
        raise ValueError(f"value must be 'pairs_with_reuse' or 'mean_share', got {value!r}")
    a, b = f"{by}_a", f"{by}_b"
    missing = [c for c in (a, b, "documents_a", "documents_b", "doc_pairs") if c not in table.columns]
    if missing:
        raise KeyError(f"reuse_heatmap needs the columns {missing} (from reuse_groups(..., by={by!r}))")
    pairs = table["doc_pairs"].to_numpy(dtype=float)
    if value == "pairs_with_reuse":
        cell = np.where(pairs > 0, table["doc_pairs_with_reuse"].to_numpy(dtype=float) / np.maximum(pairs, 1), np.nan)
        title = "Share of document pairs sharing a passage"
    else:
        cell = (table["mean_share_a"].to_numpy(dtype=float) + table["mean_share_b"].to_numpy(dtype=float)) / 2
        title = "Mean share of a document's text in passages shared"
    names = sorted(set(table[a].astype(str)) | set(table[b].astype(str)))
    matrix = pd.DataFrame(np.nan, index=names, columns=names)
    for ga, gb, v in zip(table[a].astype(str), table[b].astype(str), cell):
        matrix.loc[ga, gb] = matrix.loc[gb, ga] = v
    n_docs = dict(zip(table[a].astype(str), table["documents_a"])) | dict(zip(table[b].astype(str),
                                                                             table["documents_b"]))
    return similarity(matrix, title=title, n_docs=n_docs, ax=ax)


def trend(table: pd.DataFrame, *, x: str | None = None, by: str | None = None, value: str = "rate",
          labels: dict | None = None, ax=None):
    """Lines of a rate over time with their intervals: one panel per feature, one line per group.

    Takes the table of :func:`policytext.rate_trend` (or any tidy table with
    ``feature``, a numeric time column, ``value``, ``low`` and ``high``).
    Times whose rate could not be estimated are left out of the line; a
    feature with no estimable time shows its note in place of a line.

    Parameters
    ----------
    table : DataFrame
    x : str, optional
        The time column; default: the one :func:`policytext.rate_trend` used
        (``attrs["params"]["time"]``), else ``year``.
    by : str, optional
        One line per value of this column; default: the table's ``by`` (from
        its params), else one line.
    value : str
        The column drawn (``rate``, per 10,000 tokens).
    labels : dict, optional
        Panel titles by feature (``{"digital_economy": "数字经济"}``).
    ax : Axes or sequence of Axes, optional
        One Axes per feature; default: a new figure.

    Returns
    -------
    Figure

    Examples
    --------
    >>> t = pd.DataFrame({"feature": "x", "year": [2020, 2021, 2022], "rate": [1.0, 1.5, 2.0],
    ...                   "low": [0.8, 1.2, 1.6], "high": [1.2, 1.8, 2.4], "note": ""})
    >>> fig = trend(t)
    >>> fig.axes[0].get_ylabel(), len(fig.axes[0].lines)
    ('rate per 10,000 tokens', 1)
    """
    params = table.attrs.get("params", {}) if isinstance(table.attrs.get("params"), dict) else {}
    x = x or params.get("time") or "year"
    by = by if by is not None else params.get("by")
    missing = [c for c in ("feature", x, value, "low", "high") if c not in table.columns]
    if missing:
        raise KeyError(f"plots.trend needs the columns {missing}; columns: {list(table.columns)}")
    if by is not None and by not in table.columns:
        raise KeyError(f"plots.trend: by={by!r} is not a column; columns: {list(table.columns)}")
    features = list(dict.fromkeys(table["feature"]))
    labels = labels or {}
    with _style():
        fig, axes, ours = _grid(len(features), panel_w=3.6, panel_h=2.8, max_cols=3, ax=ax, plot="trend",
                                what="feature")
        for ax_, feature in zip(axes, features):
            part = table[table["feature"] == feature]
            drawn = part[part[value].notna()]
            if drawn.empty:
                note = next((n for n in part.get("note", pd.Series(dtype=str)) if isinstance(n, str) and n),
                            "not estimable")
                ax_.text(0.5, 0.5, textwrap.fill(note, 40), ha="center", va="center", transform=ax_.transAxes,
                         fontsize=8, color="#555555")
                ax_.set_xticks([])
                ax_.set_yticks([])
            groups = [(None, drawn)] if by is None else list(drawn.groupby(by, sort=True))
            for group, line in groups:
                line = line.sort_values(x)
                drawn_line = ax_.plot(line[x], line[value], "-", label=None if group is None else str(group))[0]
                ax_.fill_between(line[x], line["low"], line["high"], alpha=0.2, color=drawn_line.get_color(),
                                 linewidth=0)
            if by is not None and not drawn.empty:
                ax_.legend(fontsize=7, frameon=False)
            ax_.set_title(str(labels.get(feature, feature)))
            ax_.set_xlabel(x)
            ax_.set_ylabel("rate per 10,000 tokens" if value == "rate" else value)
            if not drawn.empty and pd.api.types.is_integer_dtype(drawn[x]):
                from matplotlib.ticker import MaxNLocator

                ax_.xaxis.set_major_locator(MaxNLocator(integer=True))
        basis = part["interval_basis"].iloc[0] if "interval_basis" in table and len(part) else None
        title = "Trend with pointwise intervals" + (f"\nuncertainty rests on {basis}" if basis else "")
        _finish(fig, axes, ours, title)
    return fig
