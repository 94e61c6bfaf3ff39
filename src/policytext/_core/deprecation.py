"""Old names that keep working for one release, each with a warning that names the new one.

:func:`renamed` accepts a keyword's old name (``top=`` for ``n=``) with a ``DeprecationWarning``;
:data:`NOT_GIVEN` is the default of a ``by=`` whose default changed (from ``"province"`` to
per document, the package's one default), so that a call that relied on the old default is
told, with a ``FutureWarning``, where the answer would have differed.

Every rename is listed in :data:`RENAMED`, which the tests check against the functions.
"""

from __future__ import annotations

import functools
import warnings

import pandas as pd

__all__ = ["renamed", "NOT_GIVEN", "default_by", "warn_deprecated", "RENAMED"]

#: The release from which the old names are gone.
REMOVED_IN = "0.3"

#: Every renamed keyword: (module, function) -> {"old": "new"} (filled by :func:`renamed`).
RENAMED: dict[tuple[str, str], dict[str, str]] = {}


def warn_deprecated(message: str, *, stacklevel: int = 3) -> None:
    """A DeprecationWarning that says when the old way goes."""
    warnings.warn(f"{message} (the old way is removed in policytext {REMOVED_IN})", DeprecationWarning,
                  stacklevel=stacklevel)


def renamed(**renames: str):
    """Accept the old names of keywords (``old="new"``), with a DeprecationWarning naming the new one.

    Examples
    --------
    >>> @renamed(top="n")
    ... def head(*, n=3):
    ...     return n
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     value = head(top=5)
    >>> value, "head(n=...)" in str(caught[0].message)
    (5, True)
    """
    def wrap(func):
        name = func.__qualname__

        @functools.wraps(func)
        def inner(*args, **kwargs):
            for old, new in renames.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{name}: give {new}= only ({old}= is its old name)")
                    warn_deprecated(f"{name}({old}=...) is now {name}({new}=...)")
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        RENAMED.setdefault((func.__module__, name), {}).update(renames)
        inner.__renamed__ = dict(renames)
        return inner

    return wrap


class _NotGiven:
    """The default of a ``by=`` that used to be ``"province"``: per document, as everywhere in the package."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "None"

    def __reduce__(self):
        return (_NotGiven, ())


NOT_GIVEN = _NotGiven()


def default_by(by, table: pd.DataFrame | None, function: str, *, old: str = "province"):
    """``by`` as given, or None (per document) when not given; a FutureWarning when ``table`` has the column
    ``old`` that the earlier default grouped by, since the answer now differs from an earlier release's."""
    if by is not NOT_GIVEN:
        return by
    if table is not None:
        from policytext._core.tables import metadata_columns

        if old in metadata_columns(table):
            warnings.warn(f"{function}(...) without by= now works per document (by=None), as every function of "
                          f"policytext does; releases before 0.2 grouped by {old!r}: pass by={old!r} for that",
                          FutureWarning, stacklevel=3)
    return None
