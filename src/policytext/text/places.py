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

import numpy as np
import pandas as pd

from policytext._core.codes import keep_mask
from policytext.io import resources

__all__ = ["place_names", "drop_place_names", "place_bound", "place_account", "COUNTY_SUFFIXES", "PLACE_BOUND_REST",
           "PLACE_BOUND_ENDINGS"]

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
    entries = resources.jieba_dictionary(candidates)
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


#: What follows a place name in a token that is bound to that place (四川省人民政府, 中共上海市委, 青岛港,
#: 武汉市经济和信息化局, 黔东南州): the whole rest, or its end. A token that goes on otherwise (长治久安,
#: 大通道, 杭州湾, 成都平原) is no place-bound name and stays.
PLACE_BOUND_REST = ("省", "市", "县", "区", "州", "盟", "旗", "镇", "乡", "港", "人", "委", "省委", "市委", "县委", "区委",
                    "州委", "政府", "人民政府", "省政府", "市政府", "县政府", "区政府", "州政府", "人大", "政协",
                    "人大常委会", "常委会", "机场", "站", "海关", "新区", "高新区", "开发区", "自贸区", "保税区",
                    "综保区", "片区", "港区", "经济特区", "工业园区")
PLACE_BOUND_ENDINGS = ("局", "厅", "委员会", "办公室", "办公厅", "大学", "学院", "医院", "日报", "电视台", "银行", "集团",
                       "公司", "研究院", "交易所", "管委会")
_PARTY = ("中共", "中国共产党")
_ADMIN = frozenset("省市县区州盟旗镇乡")


def place_bound(words, *, exclusions: Sequence[str | Path] | None = None) -> pd.DataFrame:
    """The words that are place names, or bound to a place, and what ``drop_places`` makes of each.

    A word is bound to a place when it starts with a place name (after 中共 or 中国共产党, if any) and goes
    on with an office, a party committee, an administrative unit or a port (:data:`PLACE_BOUND_REST`,
    :data:`PLACE_BOUND_ENDINGS`): 四川省人民政府, 中共上海市委, 青岛港, 武汉市经济和信息化局. It is reduced to
    what follows the place when that is a word of its own (in jieba's dictionary or the policy lexicon, two
    characters or more: 人民政府, 工业园区), and dropped otherwise.

    Returns
    -------
    DataFrame
        ``word``, ``place`` (the name it holds), ``action`` (``dropped`` or ``reduced``) and
        ``replacement`` (the word left, or empty).

    Examples
    --------
    >>> place_bound(["四川省人民政府", "中共上海市委", "青岛港", "长治久安", "工业互联网", "武汉"]).values.tolist()
    [['四川省人民政府', '四川省', 'reduced', '人民政府'], ['中共上海市委', '上海市', 'dropped', ''], ['青岛港', '青岛', 'dropped', ''], ['武汉', '武汉', 'dropped', '']]
    """
    table = place_names(exclusions=exclusions)
    names = set(table["name"])
    longest = max(map(len, names), default=0)
    # a short form followed by one administrative character is bound only if a full name of that place ends with
    # it (黔东南 + 州: 黔东南苗族侗族自治州; but 大城 + 市 is 大城市, a big city, where 大城县 is the county)
    full = table.loc[table["form"] == "full", "name"].tolist()
    short = set(table.loc[table["form"] == "short", "name"])
    ends: dict[str, set[str]] = {}
    for name in full:
        for size in range(2, len(name)):
            if name[:size] in short:
                ends.setdefault(name[:size], set()).add(name[-1])
    rows, rests = [], {}
    for word in dict.fromkeys(str(w) for w in words):
        if word in names:
            rows.append((word, word, "dropped", ""))
            continue
        body = next((word[len(p):] for p in _PARTY if word.startswith(p)), word)
        for size in range(min(longest, len(body) - 1), 1, -1):  # the longest name the word starts with
            place, rest = body[:size], body[size:]
            if place in short and rest in _ADMIN and rest not in ends.get(place, ()):
                continue
            if place in names and (rest in PLACE_BOUND_REST or rest.endswith(PLACE_BOUND_ENDINGS)):
                rests[word] = (place, rest)
                break
    if rests:
        known = _known_words({rest for _, rest in rests.values() if len(rest) >= 2})
        for word, (place, rest) in rests.items():
            if word.startswith(_PARTY) or rest not in known:
                rows.append((word, place, "dropped", ""))
            else:
                rows.append((word, place, "reduced", rest))
    order = {w: i for i, w in enumerate(dict.fromkeys(str(w) for w in words))}
    rows.sort(key=lambda r: order[r[0]])
    return pd.DataFrame(rows, columns=["word", "place", "action", "replacement"])


def _known_words(candidates: set[str]) -> set[str]:
    """The candidates that are words of their own: in jieba's dictionary or the policy lexicon."""
    if not candidates:
        return set()
    lexicon = set(resources.read_lexicon(resources.data_path("lexicon", "policy_terms.txt"))["term"])
    return set(resources.jieba_dictionary(candidates)) | (candidates & lexicon)


def drop_place_names(tokens: pd.DataFrame, *, exclusions: Sequence[str | Path] | None = None,
                     keep: Sequence[str] = (), term: str = "token") -> pd.DataFrame:
    """The tokens table without place names, and with words bound to a place dropped or reduced.

    Place-name tokens (武汉, 四川省, 潜江) are removed; a word bound to a place (四川省人民政府, 中共上海市委,
    青岛港) is dropped, or reduced to its part that is a word of its own (人民政府), see
    :func:`place_bound`. Words in ``keep`` stay. Rows are removed, nothing else changes: ``position`` keeps its gaps, as for any
    dropped token. The input is not modified. ``tokenize(..., drop_places=True)`` gives the same table.
    What was dropped and reduced, with counts, is in :func:`place_account`.

    Examples
    --------
    >>> toks = pd.DataFrame({"doc_id": ["a"] * 5, "token": ["武汉", "工业互联网", "潜江", "资源", "四川省人民政府"]})
    >>> out = drop_place_names(toks)
    >>> out["token"].tolist()
    ['工业互联网', '资源', '人民政府']
    >>> place_account(out)[["word", "action", "n"]].values.tolist()
    [['四川省人民政府', 'reduced', 1], ['武汉', 'dropped', 1], ['潜江', 'dropped', 1]]
    """
    from policytext._core import attrs as _attrs

    column = tokens[term]
    categorical = isinstance(column.dtype, pd.CategoricalDtype)
    vocabulary = column.cat.categories if categorical else pd.unique(column.astype("object"))
    bound = place_bound(vocabulary, exclusions=exclusions).set_index("word")
    default_list = exclusions is None and not list(keep)
    bound = bound[~bound.index.isin(list(keep))]  # words the caller keeps whatever they are
    values = column if categorical else column.astype("object")
    counts = values.value_counts()
    account = bound.assign(n=counts.reindex(bound.index).fillna(0).astype(int).to_numpy()).reset_index()
    account = account[account["n"] > 0].sort_values(["action", "n", "word"], ascending=[False, False, True],
                                                    kind="stable").reset_index(drop=True)
    dropped = set(bound.index[bound["action"] == "dropped"])
    reduced = bound.loc[bound["action"] == "reduced", "replacement"].to_dict()
    keep = keep_mask(column, dropped)
    out = tokens[keep].reset_index(drop=True)
    if reduced:
        kept = out[term]
        if isinstance(kept.dtype, pd.CategoricalDtype):
            new = pd.Index([reduced.get(c, c) for c in kept.cat.categories])
            uniques, remap = pd.Index(pd.unique(new)).sort_values(), None
            remap = uniques.get_indexer(new)
            codes = kept.cat.codes.to_numpy()
            out[term] = pd.Categorical.from_codes(np.where(codes >= 0, remap[codes], -1), categories=uniques)
        else:
            out[term] = kept.map(lambda w: reduced.get(w, w))
    out.attrs = dict(tokens.attrs)
    _attrs.attach(out, "place_account", account)
    if term == "token" and default_list:  # the default list: later analyses need not drop again
        _attrs.record_filters(out, _attrs.filters_applied(tokens) | {"places"})
    logger.info("dropped %d place-name and place-bound tokens of %d, reduced %d", int((~keep).sum()), len(tokens),
                int(account.loc[account["action"] == "reduced", "n"].sum()))
    return out


def place_account(tokens: pd.DataFrame) -> pd.DataFrame:
    """What :func:`drop_place_names` (or ``tokenize(..., drop_places=True)``) dropped and reduced: ``word``,
    ``place``, ``action``, ``replacement`` and ``n`` (tokens)."""
    from policytext._core import attrs as _attrs

    return _attrs.fetch(tokens, "place_account", "drop_place_names")
