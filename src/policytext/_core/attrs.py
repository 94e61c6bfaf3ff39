"""Accounts kept with a table in ``DataFrame.attrs``.

pandas compares and deep-copies ``attrs`` when it combines frames; a DataFrame
stored there directly makes ``==`` ambiguous and gets copied on every
operation. The holder below compares by identity and is shared, not copied.
"""

from __future__ import annotations

import pandas as pd


class _Held:
    __slots__ = ("table",)

    def __init__(self, table: pd.DataFrame):
        self.table = table

    def __eq__(self, other):
        return self is other

    __hash__ = object.__hash__

    def __deepcopy__(self, memo):
        return self

    def __repr__(self):
        return f"<account: {len(self.table)} rows>"


def attach(frame: pd.DataFrame, key: str, table: pd.DataFrame) -> None:
    """Keep ``table`` with ``frame`` under ``key``."""
    frame.attrs[key] = _Held(table)


def held(frame: pd.DataFrame, key: str) -> pd.DataFrame | None:
    """The table kept under ``key`` itself (not a copy: do not modify it), or None."""
    value = frame.attrs.get(key)
    return value.table if isinstance(value, _Held) else None


def fetch(frame: pd.DataFrame, key: str, made_by: str) -> pd.DataFrame:
    """A copy of the table kept under ``key``; a clear error if there is none."""
    held = frame.attrs.get(key)
    if not isinstance(held, _Held):
        raise KeyError(f"this table carries no {key.replace('_', ' ')}: it was not made by {made_by} "
                       "(or an operation that does not keep attrs dropped it)")
    return held.table.copy()


class _Filters:
    """Which vocabulary filters a tokens table has been through, tied to its token column's categories."""

    __slots__ = ("applied", "categories")

    def __init__(self, applied: frozenset, categories):
        self.applied = applied
        self.categories = categories

    def __eq__(self, other):
        return isinstance(other, _Filters) and self.applied == other.applied and self.categories is other.categories

    __hash__ = object.__hash__

    def __deepcopy__(self, memo):
        return self

    def __repr__(self):
        return f"<filters: {', '.join(sorted(self.applied)) or 'none'}>"


#: The attrs key that records the vocabulary filters a tokens table has been through.
FILTERS = "vocabulary_filters"


def filters_applied(frame: pd.DataFrame, column: str = "token") -> frozenset:
    """The filters (``"places"``, ``"boilerplate"``) ``frame`` has been through, as recorded when they ran.

    A record holds only while the token column is the one the filter left (its categories the same object):
    a table whose token column was replaced counts as unfiltered, so a filter is never skipped wrongly."""
    record = frame.attrs.get(FILTERS)
    if not isinstance(record, _Filters) or column not in frame.columns:
        return frozenset()
    values = frame[column]
    if not isinstance(values.dtype, pd.CategoricalDtype) or values.cat.categories is not record.categories:
        return frozenset()
    return record.applied


def record_filters(frame: pd.DataFrame, applied, column: str = "token") -> None:
    """Record that ``frame`` has been through the filters ``applied`` (with those it had been through before)."""
    values = frame[column]
    if isinstance(values.dtype, pd.CategoricalDtype):
        frame.attrs[FILTERS] = _Filters(frozenset(applied), values.cat.categories)


#: The kinds of side information a table of the package carries in ``DataFrame.attrs``, one key each:
#:
#: - ``params``: the settings the table was computed with (a dict; the function's keywords), and
#:   ``made_by``: the name of the function that computed it (``"tfidf"``, ``"tokenize"`` ...);
#: - ``summary``: facts about the result as a whole (a dict of numbers, names and lists: the rule that chose
#:   a k, the modularity of a partition, what an interval rests on, terms a lexicon could not match);
#: - ``documents``: a tokens table's documents and their metadata (see ``document_metadata``);
#: - ``<stage>_account``: what happened to each input (read with ``load_account``, ``clean_account``,
#:   ``tokenize_account``, ``place_account``, ``reuse_account`` ...; never a tuple return).
#:
#: Before 0.2, the settings were under ``<function>_params`` (``tfidf_params`` ...); those keys are kept,
#: holding the same dict, until 0.3.
KINDS = ("params", "made_by", "summary", "documents", "<stage>_account")


def set_params(frame: pd.DataFrame, function: str, params: dict) -> None:
    """Record the settings ``frame`` was computed with under ``params`` (and the key of earlier releases)."""
    frame.attrs["params"] = params
    frame.attrs["made_by"] = function
    frame.attrs[f"{function}_params"] = params  # the key of releases before 0.2, until 0.3


def params_of(frame: pd.DataFrame, function: str) -> dict | None:
    """The settings ``function`` recorded on ``frame`` (None if another function made it, or none did)."""
    if frame.attrs.get("made_by") == function:
        return frame.attrs.get("params")
    return frame.attrs.get(f"{function}_params")


def add_summary(frame: pd.DataFrame, **facts) -> None:
    """Add facts about the result as a whole under ``summary``."""
    summary = dict(frame.attrs.get("summary", {}))
    summary.update(facts)
    frame.attrs["summary"] = summary
