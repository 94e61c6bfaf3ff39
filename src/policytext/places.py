"""Place names: provinces, prefecture- and county-level divisions, and their usual short forms.

With 26 to 31 provinces compared, the most distinctive terms of a province are
mostly its own cities and counties (四川: 宜宾, 广安, 绵阳 ...), which says where a
text comes from, not what it emphasises. :func:`place_names` lists the names to
take out of the way, and :func:`drop_place_names` removes them from a tokens
table (``tokenize(..., drop_places=True)`` does the same while segmenting).

Sources: the package's table of provinces and prefecture-level divisions
(``data/lexicon/places.csv``), the county-level divisions of the ``cpca``
package's administrative-division table, a list of regions (京津冀, 成渝, 川南,
the state-level new areas; ``data/lexicon/regions.txt``), and an exclusion list
of names that are mostly ordinary words
(``data/lexicon/place_names_excluded.txt``, which explains the rules). Rivers,
lakes and mountains are not dropped: in policy texts they are mostly what a
policy is about (长江大保护).
"""

from __future__ import annotations

import functools
import logging
import re
from pathlib import Path
from typing import Sequence

import pandas as pd

from . import resources

__all__ = ["place_names", "drop_place_names", "COUNTY_SUFFIXES"]

logger = logging.getLogger(__name__)

#: Suffixes removed from a county-level name to give its short form.
COUNTY_SUFFIXES = ("自治县", "自治旗", "林区", "特区", "新区", "矿区", "县", "市", "旗", "区")

#: jieba word classes of ordinary words: a short form jieba has as a frequent word of one of them is
#: not dropped.
_COMMON_CLASSES = frozenset("v vn vd a ad an d m mq f s c b t r p u i l z q".split())
#: ... frequent meaning at least this frequency in jieba's dictionary.
_COMMON_FREQ = 500


def _common_words(candidates: set[str]) -> set[str]:
    """The candidates that jieba's dictionary has as frequent words of an ordinary-word class."""
    from .segmentation import dictionary_entries

    entries = dictionary_entries(candidates)
    return {w for w, (freq, tag) in entries.items() if tag in _COMMON_CLASSES and freq >= _COMMON_FREQ}


@functools.lru_cache(maxsize=8)
def _place_table(exclusions: tuple[str, ...]) -> pd.DataFrame:
    excluded = set()
    for path in exclusions:
        excluded |= set(resources.read_wordlist(path))
    rows = []
    places = resources.read_places()
    for r in places.itertuples(index=False):
        if not r.city:  # a province-level row
            rows.append((r.province, "full", "province", r.province))
            rows.append((r.province_short, "short", "province", r.province))
        else:
            rows.append((r.city, "full", "prefecture", r.province))
            rows.append((r.city_short, "short", "prefecture", r.province))
    ethnic = "|".join(sorted(resources.read_ethnic_groups(), key=len, reverse=True))
    suffix = re.compile("(" + "|".join(COUNTY_SUFFIXES) + ")$")
    shorts = []
    for r in resources.read_counties().itertuples(index=False):
        rows.append((r.name, "full", "county", r.province))
        if not suffix.search(r.name):
            continue
        short = re.sub(rf"(各族|{ethnic})+$", "", suffix.sub("", r.name))
        if len(short) >= 2:
            shorts.append((short, r.province))
    common = _common_words({short for short, _ in shorts})
    rows.extend((short, "short", "county", province) for short, province in shorts if short not in common)
    for name in resources.read_wordlist(resources.data_path("lexicon", "regions.txt")):
        rows.append((name, "full", "region", ""))
    table = pd.DataFrame(rows, columns=["name", "form", "kind", "province"])
    table = table[(table["name"].str.len() >= 2) & ~table["name"].isin(excluded)]
    # a name shared by several places (two 新城区, a county named like a prefecture) is listed once
    order = {"province": 0, "prefecture": 1, "county": 2, "region": 3}
    table = table.assign(_o=table["kind"].map(order)).sort_values(["_o", "name"], kind="stable")
    return table.drop_duplicates("name").drop(columns="_o").reset_index(drop=True)


def default_exclusions_path() -> Path:
    """Path of the shipped list of place names that are mostly ordinary words."""
    return resources.data_path("lexicon", "place_names_excluded.txt")


def place_names(*, exclusions: Sequence[str | Path] | None = None) -> pd.DataFrame:
    """The place names that ``drop_places`` removes.

    Parameters
    ----------
    exclusions : sequence of paths, optional
        Word lists of names never to drop; default: the shipped list
        (``data/lexicon/place_names_excluded.txt``). Pass ``[]`` to drop every
        name.

    Returns
    -------
    DataFrame
        ``name``, ``form`` (``full`` or ``short``), ``kind`` (``province``,
        ``prefecture``, ``county`` or ``region``: several provinces or cities,
        part of a province, or a state-level new area, from
        ``data/lexicon/regions.txt``), ``province``; one row per name.

    Examples
    --------
    >>> names = place_names().set_index("name")
    >>> names.loc[["湖北", "武汉", "潜江", "天门市"], "kind"].tolist()
    ['province', 'prefecture', 'county', 'county']
    >>> "资源" in names.index, "合作" in names.index   # 资源县 and 合作市: ordinary words
    (False, False)
    """
    files = tuple(str(p) for p in (exclusions if exclusions is not None else [default_exclusions_path()]))
    return _place_table(files).copy()


def drop_place_names(tokens: pd.DataFrame, *, exclusions: Sequence[str | Path] | None = None,
                     term: str = "token") -> pd.DataFrame:
    """The tokens table without place-name tokens (as ``tokenize(..., drop_places=True)``).

    Rows are removed, nothing else changes: ``position`` keeps its gaps, as
    for any dropped token. The input is not modified.

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a"] * 4, "token": ["武汉", "工业互联网", "潜江", "资源"]})
    >>> drop_place_names(toks)["token"].tolist()
    ['工业互联网', '资源']
    """
    names = set(place_names(exclusions=exclusions)["name"])
    column = tokens[term]
    if isinstance(column.dtype, pd.CategoricalDtype):  # one test per distinct token
        keep = ~column.cat.categories.isin(list(names))[column.cat.codes.to_numpy()]
    else:
        keep = ~column.astype("object").isin(names).to_numpy()
    logger.info("dropped %d place-name tokens of %d", int((~keep).sum()), len(tokens))
    return tokens[keep].reset_index(drop=True)
