"""Text reuse: planted passages are found, the pre-filter loses nothing full alignment finds, tables are sound."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import policytext as pt
from policytext import reuse

CITY = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "city-gov-reports-2024"
CLAUSES = ["，并进一步加强统筹协调", "，切实做到应保尽保", "（含跨区域项目）", "，同时兼顾中小企业发展"]


@pytest.fixture(scope="module")
def source(clean_docs):
    """The bundled documents' cleaned text, one after the other (about 15,000 characters)."""
    return "".join(clean_docs.sort_values("doc_id")["text_clean"])


def _edit(text: str, rng: random.Random, edits: int) -> str:
    """A changed number (or character), an inserted clause, a deleted character, and again."""
    chars = list(text)
    for k in range(edits):
        at = rng.randrange(10, len(chars) - 10)
        if k % 3 == 0:
            digits = [i for i, c in enumerate(chars) if c.isdigit()]
            at = digits[len(digits) // 2] if digits else at
            chars[at] = "7" if chars[at] != "7" else "3"
        elif k % 3 == 1:
            chars[at:at] = list(CLAUSES[k % len(CLAUSES)])
        else:
            del chars[at]
    return "".join(chars)


def _covered(start: int, end: int, starts, ends) -> float:
    """Share of [start, end) covered by the union of the spans."""
    mask = np.zeros(end - start, dtype=bool)
    for s, e in zip(starts, ends):
        lo, hi = max(start, s), min(end, e)
        if hi > lo:
            mask[lo - start:hi - start] = True
    return float(mask.mean())


def _pair(table: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    return table[((table["doc_a"] == a) & (table["doc_b"] == b))]


# ---------------------------------------------------------------------------------------------
# The alignment
# ---------------------------------------------------------------------------------------------

def test_smith_waterman_matches_the_textbook_example():
    # Wikipedia's Smith-Waterman example: TGTTACGG / GGTTGACTA, match 3, mismatch -3, linear gap -2
    # -> best local alignment GTT-AC / GTTGAC, score 13
    found = reuse.align_pair("TGTTACGG", "GGTTGACTA", min_length=5, min_similarity=0.8, scores=(3, -3, -2))
    assert found[["start_a", "end_a", "start_b", "end_b"]].values.tolist() == [[1, 6, 1, 7]]
    assert found["score"].tolist() == [13.0]
    assert found["text_a"].tolist() == ["GTTAC"] and found["text_b"].tolist() == ["GTTGAC"]
    assert found["similarity"].tolist() == [5 / 6]
    # the same on Chinese characters, by hand: 数字经济 / 数字化经济 with (2, -1, -1): 2+2-1+2+2 = 7
    found = reuse.align_pair("推进数字经济发展", "大力数字化经济", min_length=4, min_similarity=0.5, scores=(2, -1, -1))
    assert found[["start_a", "end_a", "start_b", "end_b"]].values.tolist() == [[2, 6, 2, 7]]
    assert found["score"].tolist() == [7.0]


def _textbook_local(a: str, b: str, match: float, mismatch: float, gap: float) -> float:
    """Smith-Waterman as printed in textbooks: the full matrix, pure Python."""
    h = [[0.0] * (len(b) + 1) for _ in range(len(a) + 1)]
    best = 0.0
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            s = match if a[i - 1] == b[j - 1] else mismatch
            h[i][j] = max(0.0, h[i - 1][j - 1] + s, h[i - 1][j] + gap, h[i][j - 1] + gap)
            best = max(best, h[i][j])
    return best


def _textbook_global(a: str, b: str, match: float, mismatch: float, gap: float) -> float:
    """Needleman-Wunsch: the best score of aligning a and b end to end."""
    h = [[gap * j for j in range(len(b) + 1)]] + [[gap * i] + [0.0] * len(b) for i in range(1, len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            s = match if a[i - 1] == b[j - 1] else mismatch
            h[i][j] = max(h[i - 1][j - 1] + s, h[i - 1][j] + gap, h[i][j - 1] + gap)
    return h[len(a)][len(b)]


def test_alignment_agrees_with_a_textbook_implementation_on_random_strings():
    rng = random.Random(3)
    alphabet = "数据经济发展，"
    for trial in range(150):
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 25)))
        b = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 25)))
        scores = rng.choice([(1, -1, -1), (2, -1, -2), (1, -2, -2), (3, -3, -2)])
        found = reuse.align_pair(a, b, min_length=1, min_similarity=0.01, scores=scores)
        best = _textbook_local(a, b, *scores)
        if best == 0:
            assert found.empty, (a, b)
            continue
        # the first passage found is an optimal local alignment ...
        assert found["score"].max() == pytest.approx(best), (a, b, scores)
        # ... and every passage's score is the best alignment of its two spans end to end
        for r in found.itertuples():
            assert _textbook_global(a[r.start_a:r.end_a], b[r.start_b:r.end_b], *scores) == pytest.approx(r.score)
            assert r.text_a == a[r.start_a:r.end_a] and r.text_b == b[r.start_b:r.end_b]
        # passages never share a character of either text
        for side in ("a", "b"):
            spans = sorted(zip(found[f"start_{side}"], found[f"end_{side}"]))
            assert all(e <= s for (_, e), (s, _) in zip(spans, spans[1:]))


def test_an_alignment_less_similar_than_the_threshold_is_cut_to_its_similar_part():
    core = "加快推进新型工业化，培育壮大战略性新兴产业，打造具有国际竞争力的先进制造业集群"  # 39 characters
    a = core + "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未" + "、数据要素市场"
    b = core + "一二三四五六七八九十百千万亿兆京垓秭" + "、数据要素市场"
    found = reuse.align_pair(a, b, min_length=20, min_similarity=0.9, scores=(1, -0.1, -0.1))
    assert found[["start_a", "end_a"]].values.tolist() == [[0, len(core)]]
    assert found["similarity"].tolist() == [1.0]


# ---------------------------------------------------------------------------------------------
# find_reuse
# ---------------------------------------------------------------------------------------------

def test_a_planted_passage_with_three_edits_is_found_and_an_unrelated_pair_yields_nothing(source):
    rng = random.Random(11)
    host, origin, other = source[200:3200], source[5200:8200], source[9500:12500]
    base = pd.DataFrame({"doc_id": ["host", "origin", "other"], "text_clean": [host, origin, other]})
    assert reuse.find_reuse(base, prefilter=False).empty  # the three pieces share nothing to begin with
    start = 1400
    passage = origin[start:start + 200]
    edited = _edit(passage, rng, 3)
    assert edited != passage and abs(len(edited) - 200) < 20
    at = host.index("。", 1500) + 1
    planted = host[:at] + edited + host[at:]
    docs = base.assign(text_clean=[planted, origin, other])
    found = reuse.find_reuse(docs)
    pair = _pair(found, "host", "origin")
    assert len(pair) >= 1
    assert _covered(at, at + len(edited), pair["start_a"], pair["end_a"]) >= 0.9
    assert _covered(start, start + 200, pair["start_b"], pair["end_b"]) >= 0.9
    assert pair["similarity"].min() >= 0.8 and pair["length"].min() >= 50
    # nothing between the unrelated pieces, nor between them and the planted passage's host elsewhere
    assert _pair(found, "host", "other").empty and _pair(found, "origin", "other").empty
    assert set(zip(found["doc_a"], found["doc_b"])) == {("host", "origin")}


def _planted_corpus(source: str, seed: int, n_docs: int = 10, size: int = 1400):
    rng = random.Random(seed)
    starts = rng.sample(range(len(source) // size), n_docs)
    texts = [source[s * size:(s + 1) * size] for s in starts]
    for length in (40, 50, 60, 80, 120, 200, 300):
        for edits in (0, 1, 2, 3):
            i, j = rng.sample(range(n_docs), 2)
            s = rng.randrange(0, len(texts[i]) - length)
            piece = _edit(texts[i][s:s + length], rng, edits) if edits else texts[i][s:s + length]
            at = rng.randrange(0, len(texts[j]))
            texts[j] = texts[j][:at] + piece + texts[j][at:]
    return pd.DataFrame({"doc_id": [f"d{k:02d}" for k in range(n_docs)], "text_clean": texts})


def test_the_prefilter_keeps_every_passage_that_full_alignment_finds(source, capsys):
    """Recall of the pre-filter: every passage the alignment of every whole pair finds above the thresholds
    is found (at least 90% of its span in both documents) by find_reuse, and so is every pair."""
    passages, found_passages, pairs, found_pairs = 0, 0, set(), set()
    for seed in (0, 1, 2):
        docs = _planted_corpus(source, seed)
        full = reuse.find_reuse(docs, prefilter=False, boilerplate=False)
        fast = reuse.find_reuse(docs, boilerplate=False)
        assert fast.attrs["reuse_account"]["candidate_pairs"] < 45  # the pre-filter did leave pairs out
        for r in full.itertuples():
            pair = _pair(fast, r.doc_a, r.doc_b)
            passages += 1
            found_passages += min(_covered(r.start_a, r.end_a, pair["start_a"], pair["end_a"]),
                                  _covered(r.start_b, r.end_b, pair["start_b"], pair["end_b"])) >= 0.9
        pairs |= {(seed, a, b) for a, b in zip(full["doc_a"], full["doc_b"])}
        found_pairs |= {(seed, a, b) for a, b in zip(fast["doc_a"], fast["doc_b"])}
    with capsys.disabled():
        print(f"\npre-filter recall: {found_passages}/{passages} passages, "
              f"{len(pairs & found_pairs)}/{len(pairs)} document pairs")
    assert passages >= 60
    assert found_passages == passages
    assert pairs <= found_pairs


def test_token_shingles_find_the_planted_passage_too(source):
    origin, host = source[5200:8200], source[200:3200]
    passage = origin[1400:1600]
    docs = pd.DataFrame({"doc_id": ["host", "origin"], "text_clean": [host[:1500] + passage + host[1500:], origin]})
    found = reuse.find_reuse(docs, shingle="token")
    assert found.attrs["params"]["ngram"] == 2
    assert _covered(1500, 1700, found["start_a"], found["end_a"]) >= 0.9


def test_boilerplate_is_excluded_and_a_user_addition_works():
    formula = "感谢您对市经济和信息化局工作的关心和支持!希望您继续关心和支持我市数字经济发展,欢迎今后继续提出宝贵意见和建议。"
    shared = "我市将加快建设工业互联网标识解析二级节点,推动规模以上工业企业数字化改造全覆盖,培育一批省级智能工厂和数字化车间。"
    between = "\n一、关于算力设施。全市新建5G基站二千个,建成城市级算力调度平台,引进数据标注企业十余家,带动就业三千人。\n"
    one = "张三代表:\n您提出的关于发展数字经济的建议收悉,现将有关情况答复如下:\n" + shared + between + formula
    two = "李四委员:\n您提出的关于培育新兴产业的提案收悉,现将办理情况答复如下:\n农业农村方面,今年新建高标准农田十万亩。\n" + shared + "\n" + formula
    docs = pd.DataFrame({"doc_id": ["one", "two"], "text_clean": [one, two]})
    found = reuse.find_reuse(docs)
    assert found["text_a"].str.strip().tolist() == [shared]  # the formula is boilerplate; the shared plan is not
    excluded = reuse.reuse_excluded(found)
    assert len(excluded) == 1 and formula[:20] in excluded["text_a"].iloc[0]
    assert "boilerplate.txt:" in excluded["rules"].iloc[0] and excluded["boilerplate_a"].iloc[0] > 40
    assert found.attrs["reuse_account"]["excluded_boilerplate"] == 1
    # without the list, the formula is a passage
    assert len(reuse.find_reuse(docs, boilerplate=False)) == 2
    # a user's phrase makes the shared plan boilerplate too (it takes no part in the pre-filter either)
    mine = reuse.find_reuse(docs, boilerplate=["工业互联网标识解析…数字化车间"])
    assert mine.empty
    masked = "boilerplate_characters"
    assert mine.attrs["reuse_account"][masked] > found.attrs["reuse_account"][masked]
    assert mine.attrs["params"]["boilerplate"][-1] == "boilerplate[0]"
    # a passage that runs on into boilerplate is aligned again without it: the boilerplate is not in it
    close = docs.assign(text_clean=[one.replace(between, "\n一、关于算力设施。全市新建5G基站二千个。\n"), two])
    with_formula = reuse.find_reuse(close, boilerplate=False)
    assert len(with_formula) == 1 and formula in with_formula["text_a"].iloc[0]  # bridged by the alignment
    without = reuse.find_reuse(close)
    assert without["text_a"].str.strip().tolist() == [shared]
    assert without.attrs["reuse_account"]["trimmed_boilerplate"] == 1


def test_a_users_boilerplate_file_is_read_with_comments_and_regular_expressions(tmp_path):
    mine = tmp_path / "mine.txt"
    mine.write_text("# my formulas\n工业互联网标识解析…数字化车间\nre:^[一二三]、关于.{0,10}。\n", encoding="utf-8")
    rules = pt.io.resources.read_boilerplate(mine)
    assert [source for _, source in rules] == ["mine.txt:2", "mine.txt:3"]
    one = pd.DataFrame({"doc_id": ["a"], "text_clean": ["二、关于数据要素。"]})
    assert reuse.find_reuse(one, boilerplate=[mine]).attrs["reuse_account"]["boilerplate_characters"] == 9
    assert reuse.find_reuse(one, boilerplate=str(mine)).attrs["params"]["boilerplate"][-1] == "mine.txt:3"
    with pytest.raises(pt.CorpusError, match="nope.txt"):
        reuse.find_reuse(one, boilerplate=[tmp_path / "nope.txt"])
    with pytest.raises(pt.CorpusError, match="nope.txt"):
        reuse.find_reuse(one, boilerplate="nope.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text("re:(unclosed\n", encoding="utf-8")
    with pytest.raises(pt.CorpusError, match="bad.txt, line 1"):
        pt.io.resources.read_boilerplate(bad)


@pytest.fixture(scope="module")
def corpus(source):
    """Ten documents with planted passages, dated (some missing, two on the same day), with provinces."""
    docs = _planted_corpus(source, 5)
    docs["province"] = ["湖北省", "湖北省", "山东省", "山东省", "山东省", "四川省", "四川省", "四川省", "四川省", "北京市"]
    docs["date"] = ["2021-03", "2021-03-25", "2022-01-05", "", "2020", "2023-07-26", "2023-07-26", "", "2019-12-01",
                    "2024"]
    return docs


@pytest.fixture(scope="module")
def found(corpus):
    return reuse.find_reuse(corpus, by="province")


def test_the_table_is_in_canonical_order_with_spans_into_the_cleaned_text(corpus, found):
    assert len(found) > 10
    assert list(found.columns) == (["doc_a", "doc_b", "province_a", "province_b"] + reuse.documents.PASSAGE_COLUMNS[2:])
    text = dict(zip(corpus["doc_id"], corpus["text_clean"]))
    for r in found.itertuples():
        assert text[r.doc_a][r.start_a:r.end_a] == r.text_a and text[r.doc_b][r.start_b:r.end_b] == r.text_b
        assert r.length == min(r.end_a - r.start_a, r.end_b - r.start_b) >= 50 and r.similarity >= 0.8
    dates = {d: reuse.documents.parse_date(v) for d, v in zip(corpus["doc_id"], corpus["date"])}
    for r in found.itertuples():
        order = reuse.documents.compare_dates(dates[r.doc_a], dates[r.doc_b])
        # the earlier document is doc_a; same or missing dates: the first doc_id
        assert order in (-1, 0, None) and (order == -1) == r.a_earlier
        if order != -1:
            assert r.doc_a < r.doc_b
    # 2021-03 and 2021-03-25 are the same month: no order between them
    assert reuse.documents.compare_dates((2021, 3), (2021, 3, 25)) == 0
    key = ["doc_a", "doc_b", "start_a", "start_b"]
    assert found[key].equals(found[key].sort_values(key).reset_index(drop=True))
    params, account = found.attrs["params"], found.attrs["reuse_account"]
    assert params["min_length"] == 50 and params["min_similarity"] == 0.8 and params["date"] == "date"
    assert account["documents"] == 10 and account["passages"] == len(found)
    assert account["candidate_pairs"] <= account["document_pairs"] == 45


def test_input_is_not_modified_and_the_same_seed_gives_the_same_table_in_other_processes(corpus, found):
    before = corpus.copy(deep=True)
    again = reuse.find_reuse(corpus, by="province", n_jobs=2)  # sketched and aligned in worker processes
    pd.testing.assert_frame_equal(corpus, before)
    pd.testing.assert_frame_equal(found, again)
    assert found.attrs["reuse_account"] == again.attrs["reuse_account"]


def _canonical(table: pd.DataFrame, names: dict) -> set:
    rows = set()
    for r in table.itertuples():
        a, b = names.get(r.doc_a, r.doc_a), names.get(r.doc_b, r.doc_b)
        side_a, side_b = (a, r.start_a, r.end_a), (b, r.start_b, r.end_b)
        rows.add(tuple(sorted([side_a, side_b])) + (round(r.score, 6),))
    return rows


def test_row_order_and_doc_id_names_do_not_change_the_passages(corpus, found):
    names = {d: f"z{99 - k}" for k, d in enumerate(corpus["doc_id"])}  # reverses the order of the names
    shuffled = corpus.sample(frac=1, random_state=4).assign(doc_id=lambda t: t["doc_id"].map(names))
    again = reuse.find_reuse(shuffled, by="province")
    back = {v: k for k, v in names.items()}
    assert _canonical(again, back) == _canonical(found, {})
    # the dated pairs keep their direction whatever the names
    dated = found[found["a_earlier"]]
    dated_again = again[again["a_earlier"]]
    assert {(a, b) for a, b in zip(dated["doc_a"], dated["doc_b"])} == {
        (back[a], back[b]) for a, b in zip(dated_again["doc_a"], dated_again["doc_b"])}


def test_shares_are_unions_of_spans_within_zero_and_one(corpus, found):
    pairs = reuse.reuse_pairs(found, corpus)
    assert len(pairs) == found[["doc_a", "doc_b"]].drop_duplicates().shape[0]
    assert pairs[["share_a", "share_b"]].ge(0).all().all() and pairs[["share_a", "share_b"]].le(1).all().all()
    assert (pairs["passages"].sum() == len(found))
    # overlapping passages count once: twice the same passage is no more text
    doubled = pd.concat([found, found], ignore_index=True)
    pd.testing.assert_frame_equal(reuse.reuse_pairs(doubled, corpus).drop(columns="passages"),
                                  pairs.drop(columns="passages"))
    p = pd.DataFrame({"doc_a": ["d00"] * 3, "doc_b": ["d01"] * 3, "start_a": [0, 5, 100], "end_a": [10, 20, 110],
                      "start_b": [0, 0, 0], "end_b": [1400, 1400, 1400]})
    one = reuse.reuse_pairs(p, corpus)
    assert one["chars_a"].tolist() == [30] and one["chars_b"].tolist() == [1400]
    assert one["share_b"].iloc[0] == 1400 / len(corpus.set_index("doc_id").loc["d01", "text_clean"]) <= 1
    every = reuse.reuse_pairs(found, corpus, all_pairs=True)
    assert len(every) == 45 and every["passages"].sum() == len(found)


def test_union_of_spans_by_group_is_that_of_the_plain_loop():
    from policytext.reuse.summaries import union_length, union_lengths

    rng = np.random.default_rng(3)
    for _ in range(200):
        n = int(rng.integers(1, 30))
        groups = rng.integers(0, 5, n)
        starts = rng.integers(0, 60, n)
        ends = starts + rng.integers(0, 25, n)  # empty spans too
        got = union_lengths(groups, starts, ends, 6)
        assert got.tolist() == [union_length(starts[groups == g], ends[groups == g]) for g in range(6)]


def test_group_summary_counts_document_pairs_and_flags_single_documents(corpus, found):
    groups = reuse.reuse_groups(found, corpus, by="province")
    assert len(groups) == 4 * 5 // 2  # 4 provinces: 6 pairs and 4 with themselves
    row = groups[(groups["province_a"] == "北京市") & (groups["province_b"] == "四川省")].iloc[0]
    assert row["documents_a"] == 1 and row["single_document_a"] and not row["single_document_b"]
    assert row["doc_pairs"] == 4
    same = groups[(groups["province_a"] == "四川省") & (groups["province_b"] == "四川省")].iloc[0]
    assert same["doc_pairs"] == 6
    assert groups["doc_pairs"].sum() == 45
    assert groups["doc_pairs_with_reuse"].sum() == found[["doc_a", "doc_b"]].drop_duplicates().shape[0]
    assert groups["passages"].sum() == len(found)
    assert "document pairs" in groups.attrs["rests_on"]


@pytest.mark.parametrize("by", [None, "province"])
def test_the_network_is_written_for_gephi_and_reads_back(corpus, found, tmp_path, by):
    import networkx as nx

    graph = reuse.reuse_network(found, corpus, by=by)
    assert isinstance(graph, nx.DiGraph)  # some pairs are dated
    nodes = set(corpus["doc_id"]) if by is None else set(corpus["province"])
    assert set(graph.nodes) == nodes
    if by is None:
        pairs = reuse.reuse_pairs(found, corpus)
        dated = pairs[pairs["a_earlier"]]
        for r in dated.itertuples():  # from the earlier document to the later one, only
            assert graph.has_edge(r.doc_a, r.doc_b) and not graph.has_edge(r.doc_b, r.doc_a)
        undated = pairs[~pairs["a_earlier"]]
        for r in undated.itertuples():  # no order: an edge each way, marked
            assert graph.edges[r.doc_a, r.doc_b]["dated"] is False and graph.has_edge(r.doc_b, r.doc_a)
    for path, read in ((tmp_path / "reuse.gexf", nx.read_gexf), (tmp_path / "reuse.graphml", nx.read_graphml)):
        (nx.write_gexf if path.suffix == ".gexf" else nx.write_graphml)(graph, path)
        back = read(path)
        assert set(back.nodes) == set(graph.nodes)
        weights = {(u, v): w for u, v, w in graph.edges(data="weight")}
        assert {(u, v): w for u, v, w in back.edges(data="weight")} == pytest.approx(weights)


def test_undated_documents_make_an_undirected_network(corpus, found):
    import networkx as nx

    undated = corpus.drop(columns="date")
    table = reuse.find_reuse(undated, date=None)
    graph = reuse.reuse_network(table, undated)
    assert type(graph) is nx.Graph and not table["a_earlier"].any()
    assert graph.number_of_edges() == table[["doc_a", "doc_b"]].drop_duplicates().shape[0]


def test_text_most_documents_share_is_kept_and_reported_unless_left_out(source):
    shared = source[3000:3300]
    docs = pd.DataFrame({"doc_id": [f"d{k}" for k in range(6)],
                         "text_clean": [source[k * 1500 + 6000:k * 1500 + 7000] + shared for k in range(6)]})
    found = reuse.find_reuse(docs)
    assert found[["doc_a", "doc_b"]].drop_duplicates().shape[0] == 15  # every pair shares it
    widely = reuse.reuse_widely_shared(found)
    assert len(widely) > 0 and widely["documents"].max() == 6 and not widely["left_out"].any()
    left = reuse.find_reuse(docs, max_documents=0.5)
    assert left[["doc_a", "doc_b"]].drop_duplicates().shape[0] < 15
    assert left.attrs["reuse_account"]["buckets_left_out"] > 0
    assert reuse.reuse_widely_shared(left)["left_out"].any()


def test_options_are_checked(corpus):
    with pytest.raises(ValueError, match="shingle"):
        reuse.find_reuse(corpus, shingle="word")
    with pytest.raises(ValueError, match="min_similarity"):
        reuse.find_reuse(corpus, min_similarity=1.5)
    with pytest.raises(ValueError, match="doc_id must be unique"):
        reuse.find_reuse(pd.concat([corpus, corpus]))
    with pytest.raises(KeyError, match="published"):
        reuse.find_reuse(corpus, date="published")
    with pytest.raises(ValueError, match="n_jobs"):
        reuse.find_reuse(corpus, n_jobs=0)
    with pytest.raises(ValueError, match="max_documents"):
        reuse.find_reuse(corpus, max_documents=5)
    assert reuse.find_reuse(corpus.iloc[:1]).empty


def test_results_are_identical_in_a_fresh_process(corpus, found, tmp_path):
    corpus.to_pickle(tmp_path / "docs.pkl")
    code = ("import pandas as pd; from policytext import reuse; d = pd.read_pickle(r'%s'); "
            "reuse.find_reuse(d, by='province').to_pickle(r'%s')" % (tmp_path / "docs.pkl", tmp_path / "out.pkl"))
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "PYTHONHASHSEED": "123"})
    pd.testing.assert_frame_equal(pd.read_pickle(tmp_path / "out.pkl"), found)


@pytest.mark.corpus
@pytest.mark.skipif(not (CITY / "metadata.csv").is_file(), reason="the city corpus is not beside this checkout")
def test_city_reports_restate_the_national_report():
    docs = pt.clean(pt.load_corpus(CITY), progress=False)
    national = docs[docs["level"] == "national"]
    sample = pd.concat([national, docs[docs["level"] != "national"].sample(19, random_state=0)])
    found = reuse.find_reuse(sample, by="province")
    account = found.attrs["reuse_account"]
    assert account["candidate_pairs"] <= 190 and len(found) > 20
    nat = national["doc_id"].iloc[0]
    from_national = found[(found["doc_a"] == nat) | (found["doc_b"] == nat)]
    assert from_national["doc_a"].nunique() + from_national["doc_b"].nunique() > 5  # many cities restate it
    text = dict(zip(sample["doc_id"], sample["text_clean"]))
    assert all(text[r.doc_a][r.start_a:r.end_a] == r.text_a for r in found.itertuples())
    pairs = reuse.reuse_pairs(found, sample)
    assert pairs["share_a"].between(0, 1).all() and pairs["share_b"].between(0, 1).all()
    assert len(reuse.reuse_excluded(found)) > 0  # the reports' opening formula


def test_reuse_from_puts_the_source_on_side_a_and_says_whether_it_came_first():
    # three passages: national-city (national earlier, already on side a), town-national (town earlier, so the
    # national report is doc_b and must be swapped to side a, and it came later), and city-town (no source: left out)
    passages = pd.DataFrame({
        "doc_a": ["nation", "town", "city"], "doc_b": ["city", "nation", "town"],
        "level_a": ["national", "city", "city"], "level_b": ["city", "national", "city"],
        "date_a": ["2023-03", "2022", None], "date_b": ["2024", "2023-03", None],
        "a_earlier": [True, True, False],
        "start_a": [0, 10, 5], "end_a": [60, 90, 70], "start_b": [100, 200, 0], "end_b": [160, 280, 65],
        "text_a": ["甲" * 60, "乙" * 80, "丙" * 65], "text_b": ["甲" * 60, "丁" * 80, "丙" * 65],
        "length": [60, 80, 65]})
    docs = pd.DataFrame({"doc_id": ["nation", "city", "town"], "level": ["national", "city", "city"]})
    before = passages.copy()
    out = reuse.reuse_from(passages, docs, source="level == 'national'")
    pd.testing.assert_frame_equal(passages, before)  # input not modified
    assert out["doc_a"].tolist() == ["nation", "nation"] and out["doc_b"].tolist() == ["town", "city"]  # longest first
    swapped = out.iloc[0]
    assert (swapped["start_a"], swapped["end_a"], swapped["start_b"], swapped["end_b"]) == (200, 280, 10, 90)
    assert swapped["text_a"] == "丁" * 80 and swapped["level_a"] == "national" and swapped["date_b"] == "2022"
    assert out["source_earlier"].tolist() == [False, True]
    assert out["a_earlier"].tolist() == [False, True]
    # the same by doc_id; errors name what is wrong
    pd.testing.assert_frame_equal(reuse.reuse_from(passages, docs, source=["nation"]), out)
    with pytest.raises(ValueError, match="'capital'"):
        reuse.reuse_from(passages, docs, source=["capital"])
    with pytest.raises(ValueError, match="selects no document"):
        reuse.reuse_from(passages, docs, source="level == 'county'")
    undated = passages.assign(a_earlier=False)
    assert reuse.reuse_from(undated, docs, source=["nation"])["source_earlier"].isna().all()


def test_the_band_buckets_are_those_datasketchs_index_fills():
    from datasketch import LeanMinHash, MinHashLSH

    from policytext.reuse.prefilter import band_buckets

    rng = np.random.default_rng(3)
    signatures = rng.integers(0, 40, size=(1500, 128)).astype(np.uint32)  # few values: many shared bands
    signatures[50:120] = signatures[0]  # one bucket of many windows in every band
    lsh = MinHashLSH(threshold=0.2, num_perm=128)
    for g in range(len(signatures)):
        lsh.insert(g, LeanMinHash(seed=0, hashvalues=signatures[g], scheme="affine32"), check_duplication=False)
    theirs = sorted(tuple(sorted(t.get(key))) for t in lsh.hashtables for key in t.keys() if len(t.get(key)) > 1)
    ours = sorted(tuple(m.tolist()) for m in band_buckets(signatures, lsh.hashranges))
    assert len(theirs) > 1000 and ours == theirs


def test_block_signatures_are_datasketchs_minhash_of_each_block():
    from datasketch import MinHash

    from policytext.reuse.prefilter import _permutations, block_minhash, identity

    rng = np.random.default_rng(5)
    hashes = rng.integers(0, 2 ** 32, size=30_000, dtype=np.uint64).astype(np.uint32)
    starts = np.sort(rng.choice(np.arange(1, len(hashes)), size=400, replace=False))
    starts = np.concatenate([[0], starts])
    ours = block_minhash(hashes, starts, _permutations(128, 7), rows=1000)  # many steps of whole blocks
    pieces = np.split(hashes, starts[1:])
    theirs = np.vstack([m.hashvalues for m in MinHash.bulk(pieces, num_perm=128, seed=7, hashfunc=identity)])
    assert ours.dtype == np.uint32 and np.array_equal(ours, theirs.astype(np.uint32))
