"""The settings of a report run: every one recorded in the manifest, each section keyed by those it reads."""

from __future__ import annotations

import ast
import numbers
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

__all__ = ["ReportConfig", "SKIPPABLE", "DEFAULT_BY", "PACKAGES", "NONE_STRINGS", "notebook_parameter"]

PACKAGES = ("policytext", "jieba", "opencc", "stopwordsiso", "pandas", "numpy", "scipy", "scikit-learn", "gensim",
            "matplotlib", "seaborn", "wordcloud", "pyLDAvis", "pylopdf-fonts-zh-cn", "python-docx")


#: Sections of the report that ``ReportConfig(skip=...)`` (``report --skip``) can leave out.
SKIPPABLE = ("reuse", "network")


@dataclass
class ReportConfig:
    """Settings of a report run (all recorded in the manifest).

    ``drop_places``: leave place names out of the keyness and TF-IDF sections
    (they mostly say where a text comes from). ``n_perm``: permutations of the
    document labels in the keyness test. ``rates_reference``: the reference
    group of the rate ratios and the topic effects (default: the group with
    the most documents). ``topic_vocabulary``: ``"content"`` fits the topics
    without place names and genre boilerplate, ``"all"`` on every token.
    ``sweep_stability_seeds``: the refits of each k in the sweep;
    ``sweep_iterations``: Gibbs iterations of the sweep's fits (None: as the
    final model's, 200). The default, 60, keeps the report fast; on the city
    reports the held-out log-likelihood at 60 iterations was 0.03 to 0.06 nats
    per word below that at 200, with the same order of k and the same
    recommendation;
    ``stability_seeds``: the refits that check the final model's topics.
    ``n_jobs``: processes (-1: every core): the topics run beside the other
    sections, and topic fits in parallel. ``cache``: tokens, fitted models and
    finished sections are cached, so that a rerun with nothing changed reads
    them.

    ``figure_formats``: the files written for each figure,
    ``figures/<name>.<format>``, among ``png``, ``svg`` and ``pdf`` (vector);
    report.html always embeds PNG. ``table_formats``: the files written for
    each table, ``tables/<name>.<format>``, among ``csv``, ``tex`` (LaTeX,
    booktabs) and ``docx`` (Word); see :mod:`policytext.export`.
    ``strict``: stop at the first input that cannot be loaded instead of
    skipping it; ``allow_outside``: read files that the metadata or a link
    places outside the corpus folder (both passed to
    :func:`policytext.load_corpus`). ``metadata``: a metadata table (CSV, TSV
    or XLSX) to use instead of the corpus folder's ``metadata.csv``; its
    SHA-256 is part of every section's cache key and of the manifest.
    ``by``: the metadata column to compare
    (an error if the corpus lacks it); left as None, ``province``, or, when the
    corpus has no such column (a folder of texts without metadata), each
    document as its own group (``doc_id``), and the report says so.
    ``stability_seeds`` and ``sweep_stability_seeds`` default to
    ``(random_state + 1,)``.

    ``reuse_min_length``, ``reuse_min_similarity``: the shortest passage (in
    characters) and the least share of identical characters for text reuse
    (:func:`policytext.find_reuse`). ``reuse_sources``: a query on the
    documents' metadata choosing the common sources of text reuse
    (:func:`policytext.attribute_sources`; default ``"level == 'national'"``):
    a passage two documents share with such a document is attributed to it,
    and the reuse section shows the pairs with and without those passages;
    when the corpus has no such column or the query selects no document,
    nothing is attributed and the section says so (``None``: never).
    ``coword_top``: the terms of the co-word
    network (those in most units), ``coword_unit``: what counts as together
    (``"paragraph"``, ``"document"`` or a window of so many tokens),
    ``coword_edges``: the strongest edges (Ochiai) kept for the communities and
    the figure (:func:`policytext.cooccurrence`). ``skip``: sections left
    out, among :data:`SKIPPABLE`; text reuse is the report's longest section
    after the topics (about 55 s of one core on the 141 city reports).

    Examples
    --------
    >>> ReportConfig(figure_formats=("png", "pdf"), table_formats=("csv", "docx")).table_formats
    ('csv', 'docx')
    >>> ReportConfig(figure_formats="svg").figure_formats
    ('svg',)
    """

    by: str | None = None
    k: int | None = None
    ks: Sequence[int] = (3, 4, 5, 6, 8, 10, 12, 15)
    random_state: int = 0
    n_boot: int = 1000
    top: int = 20
    min_count: int = 5
    stability_seeds: Sequence[int] | None = None
    sweep_stability_seeds: Sequence[int] | None = None
    sweep_iterations: int | None = 60
    topic_vocabulary: str = "content"
    n_draws: int = 25
    n_perm: int = 1000
    drop_places: bool = True
    rates_reference: str | None = None
    n_jobs: int = -1
    cache: bool = True
    cache_dir: str | Path | None = None
    progress: bool | None = None
    tokenizer: dict = field(default_factory=dict)
    figure_formats: Sequence[str] = ("png",)
    table_formats: Sequence[str] = ("csv",)
    strict: bool = False
    allow_outside: bool = False
    metadata: str | Path | None = None
    reuse_min_length: int = 50
    reuse_min_similarity: float = 0.8
    reuse_sources: str | None = "level == 'national'"
    coword_top: int = 100
    coword_unit: str | int = "paragraph"
    coword_edges: int = 300
    skip: Sequence[str] = ()

    def __post_init__(self):
        self.skip = tuple(dict.fromkeys(self.skip))
        unknown = [name for name in self.skip if name not in SKIPPABLE]
        if unknown:
            raise ValueError(f"skip: {unknown} cannot be skipped; choose among {list(SKIPPABLE)}")
        # a refit with the model's own seed would measure nothing: the default refit takes the next seed
        for name in ("stability_seeds", "sweep_stability_seeds"):
            if getattr(self, name) is None:
                setattr(self, name, (self.random_state + 1,))
            elif set(getattr(self, name)) and set(getattr(self, name)) <= {self.random_state}:
                raise ValueError(f"{name}: {list(getattr(self, name))} holds only random_state "
                                 f"({self.random_state}); a refit needs another seed")
        from policytext import export, plots  # here, not at import: the command line reads DEFAULT_BY cheaply

        self.figure_formats = _formats(self.figure_formats, plots.FIGURE_FORMATS, "figure_formats")
        self.table_formats = _formats(self.table_formats, export.TABLE_FORMATS, "table_formats")


def _formats(value, allowed: Sequence[str], name: str) -> tuple[str, ...]:
    formats = (value,) if isinstance(value, str) else tuple(value)
    formats = tuple(dict.fromkeys(str(f).lower().lstrip(".") for f in formats))
    bad = [f for f in formats if f not in allowed]
    if bad or not formats:
        raise ValueError(f"{name}: {', '.join(bad) or 'none given'}; choose from {', '.join(allowed)}")
    return formats


#: The column a report (and the command line) groups by when ``by`` is not given; a corpus without it is grouped
#: by document. The functions of the package group by nothing (per document) when ``by`` is not given.
DEFAULT_BY = "province"


#: Strings that mean "no value" in a notebook parameter (``-r k None``, ``-y "k: null"``, ``-r k ~``).
NONE_STRINGS = ("none", "null", "~")
_KIND_NAMES = {int: ("an integer", "integers"), float: ("a number", "numbers"), str: ("a text", "texts"),
               bool: ("true or false", "true or false values")}
_TRUE, _FALSE = ("true", "yes", "on", "1"), ("false", "no", "off", "0")


def _as_kind(value, kind):
    """``value`` as one ``kind`` (int, float, str or bool); ValueError if it is not one."""
    is_bool = isinstance(value, bool) or type(value).__name__ == "bool_"
    if kind is bool:
        if is_bool:
            return bool(value)
        text = str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
    elif kind is int and not is_bool:
        if isinstance(value, numbers.Integral):
            return int(value)
        number = float(value.strip()) if isinstance(value, str) else value
        if isinstance(number, numbers.Real) and float(number).is_integer():
            return int(number)
    elif kind is float and not is_bool:
        if isinstance(value, str):
            return float(value.strip())
        if isinstance(value, numbers.Real):
            return float(value)
    elif kind is str and not is_bool:
        if isinstance(value, str):
            return value
        if isinstance(value, numbers.Real):
            return str(value)
    raise ValueError(value)


def _list_items(value) -> list:
    """The items of a list parameter: a list, tuple, set or range, a single value, or a string holding any of them
    (``"[8, 12]"``, ``"8, 12"``, ``"8 12"``, ``"[a, b]"`` as YAML writes it)."""
    if isinstance(value, str):
        text = value.strip()
        try:
            parsed = ast.literal_eval(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            inner = text[1:-1] if text.startswith("[") and text.endswith("]") else text
            return [part.strip("'\"") for part in re.split(r"[,，、\s]+", inner) if part.strip("'\"")]
        return _list_items(parsed) if not isinstance(parsed, str) else [parsed]
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    if isinstance(value, (list, tuple, range)) or type(value).__name__ in ("ndarray", "Series", "Index"):
        return list(value)
    if isinstance(value, dict):
        raise TypeError(f"a mapping is not a list: {value!r}")
    return [value]


def notebook_parameter(value, kind, *, name: str = "parameter", optional: bool = False):
    """A notebook parameter as the notebook uses it, however papermill passed it.

    papermill's ``-p`` passes a number as a number and anything else as a
    string: ``-p ks "[8, 12]"`` gives the notebook the string ``"[8, 12]"``.
    ``-r`` passes every value as a string, ``-y`` as YAML (``-y "ks: [8, 12]"``
    gives a list) and ``papermill.execute_notebook(parameters=...)`` as it is.
    The second cell of each notebook passes its parameters through this
    function, so that each of these ways works.

    Parameters
    ----------
    value
        The parameter as the notebook received it.
    kind : int, float, str, bool, [kind] or a tuple of kinds
        ``int``, ``float``, ``str`` or ``bool``; ``[int]`` (a one-item list):
        a list of such values, which also takes a single value (``8`` gives
        ``[8]``) and a string holding a list (``"[8, 12]"``, ``"8, 12"``,
        ``"8 12"``); a tuple: the first kind the value fits, e.g.
        ``(int, str)`` for a window of so many tokens or ``"paragraph"``.
    name : str
        The parameter's name, for the error message.
    optional : bool
        Whether None is a value (also given as the strings ``None``, ``null``
        or ``~``); without it None is an error.

    Returns
    -------
    The value, of ``kind``.

    Raises
    ------
    ValueError
        The value is not of ``kind`` and no string form of one: the message
        names the parameter and shows how to pass a list.

    Examples
    --------
    >>> notebook_parameter("[8, 12]", [int], name="ks"), notebook_parameter([8, 12], [int], name="ks")
    ([8, 12], [8, 12])
    >>> notebook_parameter("8", [int], name="ks"), notebook_parameter(8, [int], name="ks")
    ([8], [8])
    >>> notebook_parameter("1000", int, name="n_boot"), notebook_parameter("None", int, name="k", optional=True)
    (1000, None)
    >>> notebook_parameter("20", (int, str)), notebook_parameter("paragraph", (int, str))
    (20, 'paragraph')
    >>> notebook_parameter("[8, twelve]", [int], name="ks")
    Traceback (most recent call last):
    ...
    ValueError: ks: expected a list of integers, got '[8, twelve]'; pass a list as -p ks "[8, 12]" or -y "ks: [8, 12]"
    """
    is_list = isinstance(kind, list)
    if is_list and len(kind) != 1:
        raise TypeError(f"notebook_parameter: a list kind holds one kind, e.g. [int]; got {kind!r}")
    kinds = tuple(kind[0]) if is_list and isinstance(kind[0], tuple) else (kind[0],) if is_list else (
        kind if isinstance(kind, tuple) else (kind,))
    unknown = [k for k in kinds if k not in _KIND_NAMES]
    if unknown:
        raise TypeError(f"notebook_parameter: kind must be int, float, str or bool (or a list or tuple of them); "
                        f"got {unknown}")
    if value is None or (isinstance(value, str) and value.strip().lower() in NONE_STRINGS):
        if optional:
            return None
        raise ValueError(f"{name}: needs a value, got {value!r}")

    def one(item):
        for k in kinds:
            try:
                return _as_kind(item, k)
            except (ValueError, TypeError, OverflowError):
                continue
        raise ValueError(item)

    what = " or ".join(_KIND_NAMES[k][1 if is_list else 0] for k in kinds)
    try:
        return [one(item) for item in _list_items(value)] if is_list else one(value)
    except (ValueError, TypeError):
        hint = f'; pass a list as -p {name} "[8, 12]" or -y "{name}: [8, 12]"' if is_list else ""
        raise ValueError(f"{name}: expected {'a list of ' if is_list else ''}{what}, got {value!r}{hint}") from None
