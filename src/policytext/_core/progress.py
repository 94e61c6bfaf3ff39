"""Progress bars that a caller can switch off."""

from __future__ import annotations

from typing import Iterable, TypeVar

T = TypeVar("T")

#: With ``progress=None`` a bar is shown only for at least this many items.
AUTO_THRESHOLD = 50


def progress_bar(items: Iterable[T], *, total: int | None, enabled: bool | None, **kwargs) -> Iterable[T]:
    """Wrap ``items`` in a tqdm bar (on stderr) when ``enabled``, or, when
    ``enabled`` is None, when there are at least :data:`AUTO_THRESHOLD` items."""
    if enabled is None:
        enabled = total is not None and total >= AUTO_THRESHOLD
    if not enabled:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, total=total, **kwargs)
