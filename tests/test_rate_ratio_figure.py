"""The rate-ratio figure: plain ratios on its log axis, one scale for every panel when asked, and the reason on
the axes when the table has nothing to draw."""

from __future__ import annotations

import itertools
import re

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

import policytext as pt
from policytext import plots


def rates_table(rows):
    """A table shaped like compare_rates': (feature, level, rate_ratio, low, high) rows against reference C."""
    table = pd.DataFrame(rows, columns=["feature", "level", "rate_ratio", "low", "high"])
    return table.assign(reference="C", n_docs=4, note="")


def plain_labels(ax) -> list[str]:
    return [t.get_text() for t in ax.get_xticklabels() if t.get_text()]


def panels(fig):
    return [ax for ax in fig.axes if ax.get_visible()]


@pytest.mark.parametrize("span", [(0.3, 6.0), (0.001, 2000.0), (0.9, 1.15), (0.05, 0.4)])
def test_the_rate_ratio_axis_is_labelled_with_plain_ratios(span):
    lo, hi = span
    mid = float(np.sqrt(lo * hi))
    fig = plots.rate_ratios(rates_table([("data", "A", mid, lo, hi), ("data", "B", hi / 1.5, mid, hi)]))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (ax,) = panels(fig)
    labels = plain_labels(ax)
    assert len(labels) >= 2, labels
    # plain numbers (0.5, 1, 2, 100), never 10^k in mathtext or 1e+03
    assert all(re.fullmatch(r"\d+(\.\d+)?", s) for s in labels), labels
    assert "1" in labels  # the reference ratio is always on the axis, and labelled
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert [float(s) for s in labels] == pytest.approx(ticks)  # each label says where its tick is
    boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_text()]
    assert not any(a.overlaps(b) for a, b in itertools.pairwise(boxes))
    # every interval is inside the axis
    assert ax.get_xlim()[0] < lo and ax.get_xlim()[1] > hi
    matplotlib.pyplot.close(fig)


def two_ranges():
    return rates_table([("narrow", "A", 0.8, 0.6, 1.1), ("narrow", "B", 1.3, 1.0, 1.7),
                        ("wide", "A", 0.05, 0.01, 0.3), ("wide", "B", 20.0, 4.0, 90.0)])


def test_rate_ratio_panels_have_their_own_scale_unless_they_share_one():
    import matplotlib.pyplot as plt

    table = two_ranges()
    own = panels(plots.rate_ratios(table))
    assert own[0].get_xlim() != pytest.approx(own[1].get_xlim())
    shared = panels(plots.rate_ratios(table, sharex=True))
    assert len(shared) == 2 and shared[0].get_xlim() == pytest.approx(shared[1].get_xlim())
    lo, hi = shared[0].get_xlim()
    assert lo < table["low"].min() and hi > table["high"].max()  # the shared range holds every interval
    assert plain_labels(shared[0]) == plain_labels(shared[1])
    assert "one scale for every panel" in shared[0].figure._suptitle.get_text()
    # on the caller's Axes too
    fig, axes = plt.subplots(1, 2)
    assert plots.rate_ratios(table, sharex=True, ax=axes) is fig
    assert axes[0].get_xlim() == pytest.approx((lo, hi)) and axes[1].get_xlim() == pytest.approx((lo, hi))
    plt.close("all")


def test_rate_ratio_limits_fix_the_scale_and_mark_what_lies_beyond():
    table = two_ranges()
    fig = plots.rate_ratios(table, limits=(0.25, 4))
    for ax in panels(fig):
        assert ax.get_xlim() == pytest.approx((0.25, 4))
        assert {"0.5", "1", "2"} <= set(plain_labels(ax))
    wide = panels(fig)[1]
    beyond = {line.get_marker(): list(line.get_xdata()) for line in wide.lines if line.get_marker() in ("<", ">")}
    assert beyond == {"<": [0.25], ">": [4.0]}  # 0.05 and 20 lie outside: triangles at the edges
    with pytest.raises(ValueError, match="0 < low < high"):
        plots.rate_ratios(table, limits=(4, 0.25))
    with pytest.raises(ValueError, match="0 < low < high"):
        plots.rate_ratios(table, limits=(0, 4))
    matplotlib.pyplot.close("all")


@pytest.fixture(scope="module")
def rates_one_document_per_group(tokens):
    # every bundled document its own province: the shape of 31 provincial documents, one each
    one_each = tokens.assign(province=tokens["doc_id"])
    return pt.compare_rates(one_each, covariates="province", lexicon="digital_policy")


def test_a_rate_ratio_table_without_estimates_shows_why_instead_of_empty_axes(rates_one_document_per_group):
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    rates = rates_one_document_per_group
    assert rates["rate_ratio"].isna().all() and rates["note"].str.len().gt(0).all()  # the case this is about
    fig = plots.rate_ratios(rates)
    assert isinstance(fig, Figure)
    (ax,) = panels(fig)
    shown = " ".join(" ".join(t.get_text() for t in ax.texts).split())
    assert shown.startswith("No rate ratio could be estimated")
    for note in rates["note"].unique():  # each note's reason (its first clause) is on the axes
        assert " ".join(note.split("; ")[0].split()) in shown, note
    assert not ax.lines and not ax.collections  # no points, no reference line on an empty scale
    assert "none could be estimated" in fig._suptitle.get_text()
    # the renderer fits the text into the figure
    fig.canvas.draw()
    text_box = ax.texts[0].get_window_extent(fig.canvas.get_renderer())
    assert text_box.y0 >= 0 and text_box.x1 <= fig.get_size_inches()[0] * fig.dpi + 1
    # on the caller's Axes: one Axes for the message
    mine, one = plt.subplots()
    assert plots.rate_ratios(rates, ax=one) is mine and one.texts
    _, two = plt.subplots(1, 2)
    with pytest.raises(ValueError, match="1 panel"):
        plots.rate_ratios(rates, ax=two)
    plt.close("all")


def test_a_rate_ratio_table_without_notes_says_it_gives_no_reason():
    table = rates_table([("data", "A", np.nan, np.nan, np.nan)]).drop(columns="note")
    (ax,) = panels(plots.rate_ratios(table))
    assert "gives no reason" in ax.texts[0].get_text()
    matplotlib.pyplot.close("all")


def test_a_feature_without_estimates_is_named_in_the_rate_ratio_title():
    table = pd.concat([two_ranges(), rates_table([("talent", "A", np.nan, np.nan, np.nan)])], ignore_index=True)
    fig = plots.rate_ratios(table, labels={"talent": "人才"})
    assert len(panels(fig)) == 2
    assert "not estimated (see the table's note): 人才" in fig._suptitle.get_text()
    matplotlib.pyplot.close("all")
