"""Integer codes over sorted values, the filter of a categorical column, package versions: one way each.

Examples
--------
>>> codes, values = sorted_codes(pd.Series(["乙", "甲", "乙"]))
>>> codes.tolist(), values.tolist()
([0, 1, 0], ['乙', '甲'])
>>> keep_mask(pd.Series(pd.Categorical(["的", "数据", "的"])), {"的"}).tolist()
[False, True, False]
"""

from __future__ import annotations

import importlib.metadata

import numpy as np
import pandas as pd

__all__ = ["sorted_codes", "distinct_integers", "keep_mask", "package_version", "engine_label"]


def sorted_codes(values) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of ``values`` into their distinct values in sorted order, and those values.

    A categorical's own codes are reused (no string is touched), and only the categories
    that occur get a code; a missing value gets -1.
    """
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        raw = values.cat.codes.to_numpy().astype(np.int64)
        # the categories that occur, by counting (linear; np.unique would sort every code)
        used = np.flatnonzero(np.bincount(raw[raw >= 0], minlength=len(values.cat.categories)))
        categories = np.asarray(values.cat.categories.astype(object)[used], dtype=object)
        order = np.argsort(categories, kind="stable")
        remap = np.full(len(values.cat.categories), -1, dtype=np.int64)
        remap[used[order]] = np.arange(len(used))
        return np.where(raw >= 0, remap[raw], -1), categories[order]  # remap[-1] would be the last category
    codes, uniques = pd.factorize(pd.Series(np.asarray(values, dtype=object)), sort=True)
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def distinct_integers(values: np.ndarray) -> np.ndarray:
    """The distinct values of an integer array, sorted: ``np.unique(values)``, by a stable sort.

    NumPy 2's ``np.unique`` hashes integers, which on the mostly ordered keys of this package (unit x term
    codes, in unit order) is about 20 times slower than sorting them.

    Examples
    --------
    >>> distinct_integers(np.array([5, 3, 5, 9, 3])).tolist()
    [3, 5, 9]
    """
    values = np.sort(np.asarray(values).ravel(), kind="stable")
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def keep_mask(column: pd.Series, drop) -> np.ndarray:
    """True for the rows of ``column`` whose value is not in ``drop`` (one test per category of a categorical)."""
    drop = list(drop)
    if isinstance(column.dtype, pd.CategoricalDtype):
        return ~column.cat.categories.isin(drop)[column.cat.codes.to_numpy()]
    return ~column.astype("object").isin(drop).to_numpy()


def package_version(name: str) -> str | None:
    """The installed version of a distribution, or None."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def engine_label(engine: str) -> str:
    """An engine and its version, as cache keys record it (``"tomotopy 0.13.0"``)."""
    version = package_version(engine)
    return f"{engine} {version}" if version is not None else f"{engine} (unknown version)"
