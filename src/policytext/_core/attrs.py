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
