"""Comparing groups: n-grams, collocations, TF-IDF, similarity, keyness, kwic and emphasis,
against values computed by hand or independently, plus order invariance and untouched inputs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import policytext as pt

# Group P: 数据 x4, 平台 x1, 安全 x1 (6 tokens); group Q: 数据 x1, 平台 x3 (4 tokens).
TINY = pd.DataFrame({
    "doc_id": ["p1"] * 4 + ["p2"] * 2 + ["q1"] * 4,
    "para_id": [0, 0, 1, 1, 0, 0, 0, 0, 0, 1],
    "position": [0, 1, 2, 3, 0, 1, 0, 1, 2, 3],
    "province": ["P"] * 6 + ["Q"] * 4,
    "token": ["数据", "数据", "平台", "数据", "数据", "安全", "平台", "平台", "数据", "平台"],
})


# --- keyness ---------------------------------------------------------------------------

def test_keyness_matches_hand_computation():
    k = pt.keyness(TINY, by="province", target="P", min_count=1).set_index("term")
    row = k.loc["数据"]
    # 2x2 table: 数据 in P 4, in Q 1; other terms in P 2, in Q 3; N = 10; expected 3, 2, 3, 2
    g2 = 2 * (4 * math.log(4 / 3) + 1 * math.log(1 / 2) + 2 * math.log(2 / 3) + 3 * math.log(3 / 2))
    assert row["g2"] == pytest.approx(g2)
    assert row["chi2"] == pytest.approx(1 / 3 + 1 / 2 + 1 / 3 + 1 / 2)
    assert (row["expected_target"], row["expected_reference"]) == pytest.approx((3.0, 2.0))
    assert row["p_value"] == pytest.approx(math.erfc(math.sqrt(g2 / 2)))  # chi-square, 1 df
    assert row["log_ratio"] == pytest.approx(math.log2((4.5 / 6) / (1.5 / 4)))
    # Monroe et al. (2008), prior = corpus counts (alpha_0 = N = 10, alpha_数据 = 5)
    delta = math.log((4 + 5) / (6 + 10 - 4 - 5)) - math.log((1 + 5) / (4 + 10 - 1 - 5))
    assert row["log_odds"] == pytest.approx(delta)
    assert row["log_odds_z"] == pytest.approx(delta / math.sqrt(1 / 9 + 1 / 6))
    assert row["direction"] == "over" and k.loc["平台", "direction"] == "under"
    # 安全 is absent from Q: finite log ratio thanks to the smoothing
    assert k.loc["安全", "log_ratio"] == pytest.approx(math.log2((1.5 / 6) / (0.5 / 4)))


def test_adjust_bh_by_hand():
    p = np.array([0.01, 0.04, 0.03, 0.2])
    # sorted 0.01, 0.03, 0.04, 0.2 -> p*m/rank 0.04, 0.06, 0.0533, 0.2 -> running minimum from the top
    assert pt.adjust_bh(p) == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.2])


def test_all_groups_at_once_equals_each_target_against_the_rest(tokens):
    everything = pt.keyness(tokens, by="province")
    for province in ("湖北省", "四川省"):
        one = pt.keyness(tokens, by="province", target=province)
        part = everything[everything["province"] == province].reset_index(drop=True)
        pd.testing.assert_frame_equal(part, one, check_dtype=False)


def test_keyness_min_count_and_adjustment_within_comparison(tokens):
    k = pt.keyness(tokens, by="province", target="湖北省", min_count=10)
    assert ((k["n_target"] + k["n_reference"]) >= 10).all()
    assert (k["p_adjusted"] >= k["p_value"] - 1e-12).all()
    assert k["p_adjusted"].to_numpy() == pytest.approx(pt.adjust_bh(k["p_value"].to_numpy()))


def test_keyness_target_against_a_chosen_reference_and_errors(tokens):
    k = pt.keyness(tokens, by="province", target="山东省", reference="四川省", min_count=3)
    counts = pt.with_metadata(tokens).groupby(["province", "token"], observed=True).size()
    row = k.set_index("term").loc["数字经济"]
    assert row["n_target"] == counts.get(("山东省", "数字经济"), 0)
    assert row["n_reference"] == counts.get(("四川省", "数字经济"), 0)
    with pytest.raises(KeyError, match="target '广东省' is not a group"):
        pt.keyness(tokens, by="province", target="广东省")


# --- n-grams and collocations ----------------------------------------------------------

def test_ngrams_respect_units_and_gaps():
    toks = pd.DataFrame({"doc_id": ["a"] * 5 + ["b"], "para_id": [0, 0, 0, 1, 1, 0], "position": [0, 1, 3, 4, 5, 0],
                         "token": ["工业", "互联网", "平台", "数据", "安全", "标识"]})
    assert pt.ngrams(toks)["token"].tolist() == ["工业 互联网", "数据 安全"]  # gap 1->3, unit break 3->4
    assert pt.ngrams(toks, allow_gaps=True)["token"].tolist() == ["工业 互联网", "互联网 平台", "数据 安全"]
    assert pt.ngrams(toks, ngram=3, allow_gaps=True)["token"].tolist() == ["工业 互联网 平台"]
    freq = pt.ngram_frequency(toks)
    assert freq[["doc_id", "term", "n"]].values.tolist() == [["a", "工业 互联网", 1], ["a", "数据 安全", 1]]


def test_collocation_scores_by_hand():
    # eight adjacent pairs: 数据 安全 x3, 安全 数据 x3, 数据 平台 x1, 平台 安全 x1;
    # 4 pairs start with 数据, 4 end with 安全
    seq = ["数据", "安全", "数据", "安全", "数据", "安全", "数据", "平台", "安全"]
    toks = pd.DataFrame({"doc_id": ["a"] * 9, "para_id": [0] * 9, "position": range(9), "token": seq})
    col = pt.collocations(toks, min_count=1).set_index("ngram")
    n_pairs = 8
    row = col.loc["数据 安全"]
    assert (row["n"], row["n_w1"], row["n_w2"]) == (3, 4, 4)
    assert row["pmi"] == pytest.approx(math.log2(3 * n_pairs / (4 * 4)))
    o = [3, 1, 1, 3]  # 数据 安全 | 数据 other | other 安全 | other other
    e = [4 * 4 / 8] * 4  # every row and column of the table sums to 4
    assert row["g2"] == pytest.approx(2 * sum(x * math.log(x / y) for x, y in zip(o, e)))
    assert len(pt.collocations(toks, min_count=3)) == 2  # 数据 安全 and 安全 数据


# --- TF-IDF and similarity ---------------------------------------------------------------

def test_tfidf_matches_scikit_learn_on_the_same_tokens_including_single_characters():
    from sklearn.feature_extraction.text import TfidfVectorizer

    toks = pd.DataFrame({"doc_id": ["a", "a", "a", "b", "b", "c"], "token": ["省", "数据", "数据", "省", "平台", "云"]})
    ours = pt.tfidf(toks, idf="smooth").set_index(["doc_id", "term"])["tf_idf"]
    docs = {d: g["token"].tolist() for d, g in toks.groupby("doc_id")}
    vec = TfidfVectorizer(analyzer=lambda x: x, sublinear_tf=True)
    weights = vec.fit_transform(list(docs.values())).toarray()
    vocab = vec.get_feature_names_out()
    for i, d in enumerate(docs):
        for j, t in enumerate(vocab):
            if weights[i, j] > 0:
                assert ours[(d, t)] == pytest.approx(weights[i, j]), (d, t)
    assert "省" in set(pt.tfidf(toks)["term"]) and "云" in set(pt.tfidf(toks)["term"])


def test_tfidf_by_group_records_its_options(tokens):
    t = pt.tfidf(tokens, by="province", n=10)
    assert t.groupby("province").size().tolist() == [10, 10, 10]
    assert t.attrs["params"] == {"by": ["province"], "idf": "log", "sublinear_tf": True, "smooth_idf": True,
                                 "norm": "l2", "n": 10}
    full = pt.tfidf(tokens, by="province")
    assert full.groupby("province")["tf_idf"].apply(lambda s: float((s ** 2).sum())).round(9).eq(1).all()


def test_tfidf_log_idf_by_hand_and_a_term_in_every_group_weighs_zero(tokens):
    toks = pd.DataFrame({"doc_id": list("aaabbc"), "province": list("PPPQQR"),
                         "token": ["发展", "数据", "数据", "发展", "平台", "发展"]})
    t = pt.tfidf(toks, by="province", norm=None, sublinear_tf=False).set_index(["province", "term"])["tf_idf"]
    assert t[("P", "发展")] == 0 and t[("Q", "发展")] == 0 and t[("R", "发展")] == 0  # in all 3 groups: ln(3/3)
    assert t[("P", "数据")] == pytest.approx(2 * math.log(3 / 1)) and t[("Q", "平台")] == pytest.approx(math.log(3))
    # on the seeds by province, every term that all three provinces use scores 0 and ranks last
    full = pt.tfidf(tokens, by="province")
    everywhere = full.groupby("term")["province"].nunique().loc[lambda n: n == 3].index
    assert "发展" in everywhere and (full[full["term"].isin(everywhere)]["tf_idf"] == 0).all()
    top = pt.tfidf(tokens, by="province", n=10)
    assert not top["term"].isin(everywhere).any()


def test_similarity_is_cosine_of_tfidf_and_symmetric(tokens):
    tidy = pt.similarity(tokens)
    mat = pt.similarity(tokens, matrix=True)
    assert mat.shape == (5, 5)
    assert np.allclose(mat.to_numpy(), mat.to_numpy().T) and np.allclose(np.diag(mat), 1)
    w = pt.tfidf(tokens, idf="smooth").pivot(index="doc_id", columns="term", values="tf_idf").fillna(0)
    cos = w.to_numpy() @ w.to_numpy().T
    assert np.allclose(mat.loc[w.index, w.index].to_numpy(), cos)
    assert len(tidy) == 25 and tidy.columns.tolist() == ["doc_id_a", "doc_id_b", "similarity"]
    byp = pt.similarity(tokens, by="province", weighting="count", matrix=True)
    assert byp.shape == (3, 3)


# --- kwic -------------------------------------------------------------------------------

def test_kwic_finds_every_occurrence(clean_docs, tokens):
    on_tokens = pt.kwic(tokens, "数字经济", window=3)
    assert len(on_tokens) == (tokens["token"] == "数字经济").sum()
    assert (on_tokens["keyword"] == "数字经济").all() and "province" in on_tokens
    on_text = pt.kwic(clean_docs, "工业互联网")
    assert len(on_text) == sum(t.count("工业互联网") for t in clean_docs["text_clean"])
    units = pt.split_units(clean_docs).set_index(["doc_id", "para_id"])["text"]
    for r in on_text.itertuples():
        unit = units[(r.doc_id, r.para_id)]
        assert unit[r.position:r.position + 5] == "工业互联网"
        assert unit[max(0, r.position - 20):r.position] == r.left and len(r.right) <= 20


def test_kwic_phrase_needs_adjacent_tokens():
    toks = pd.DataFrame({"doc_id": ["a"] * 4, "para_id": [0] * 4, "position": [0, 2, 3, 4],
                         "token": ["数据", "平台", "数据", "平台"]})  # position 1 was a removed stopword
    hits = pt.kwic(toks, "数据 平台")
    assert hits["position"].tolist() == [3]


def test_emphasis_per_document_and_with_a_missing_group_value(tokens):
    per_doc = pt.emphasis(tokens, by=None, n_boot=20)
    assert set(per_doc["doc_id"]) == set(tokens["doc_id"].astype(str))
    assert per_doc.groupby("doc_id")["share"].sum().round(9).eq(1).all()
    assert pt.emphasis(tokens, by="doc_id", n_boot=20).equals(per_doc)
    joined = pt.with_metadata(tokens)
    no_year = joined.assign(year=joined["year"].where(joined["doc_id"] != "hubei_2022_article"))
    e = pt.emphasis(no_year, by="year", n_boot=0)
    assert "(none)" in set(e["year"])
    assert e.groupby("year")["tokens"].first().sum() == len(tokens)


def test_kwic_phrase_on_tokens():
    toks = TINY.assign(doc_id=["a"] * 10, para_id=[0] * 10, position=range(10))
    hits = pt.kwic(toks, ["数据", "平台"], window=1)
    assert hits[["left", "keyword", "right"]].values.tolist() == [["数据", "数据 平台", "数据"],
                                                                 ["平台", "数据 平台", ""]]


# --- emphasis --------------------------------------------------------------------------

def test_emphasis_counts_are_the_lexicon_tokens(tokens):
    e = pt.emphasis(tokens, by="province", n_boot=50)
    lex = pt.read_emphasis_lexicon("digital_policy")
    term_dim = dict(zip(lex["term"], lex["dimension"]))
    for (province, dim), hits in e.set_index(["province", "dimension"])["hits"].items():
        mask = (pt.with_metadata(tokens)["province"] == province) & tokens["token"].astype(str).map(term_dim).eq(dim)
        assert hits == mask.sum(), (province, dim)
    totals = pt.with_metadata(tokens).groupby("province", observed=True).size()
    for r in e.itertuples():
        assert r.per_10k == pytest.approx(r.hits / totals[r.province] * 10_000)


def test_emphasis_shares_sum_to_one_and_intervals_hold_the_estimate(tokens):
    e = pt.emphasis(tokens, by="province", n_boot=200, random_state=3)
    assert e.groupby("province")["share"].sum().to_numpy() == pytest.approx(1.0)
    assert (e["per_10k_low"] <= e["per_10k"] + 1e-9).all() and (e["per_10k"] <= e["per_10k_high"] + 1e-9).all()
    assert ((e["share_low"] <= e["share"] + 1e-9) & (e["share"] <= e["share_high"] + 1e-9)).all()


@pytest.mark.parametrize("resample", ["document", "unit"])
def test_emphasis_is_reproducible_with_a_seed(tokens, resample):
    a = pt.emphasis(tokens, by="province", n_boot=100, random_state=11, resample=resample)
    b = pt.emphasis(tokens.sample(frac=1.0, random_state=1), by="province", n_boot=100, random_state=11,
                    resample=resample)
    pd.testing.assert_frame_equal(a, b)
    # another seed changes the intervals (a group of 12 documents, so that resamples differ)
    rng = np.random.default_rng(0)
    share_5g = np.repeat(rng.uniform(0.0, 0.6, size=12), 40)  # documents differ a lot
    many = pd.DataFrame({"doc_id": np.repeat([f"d{i}" for i in range(12)], 40), "para_id": np.tile(np.arange(40) // 10, 12),
                         "province": "P", "token": np.where(rng.random(480) < share_5g, "5G", "其他")})
    x = pt.emphasis(many, by="province", n_boot=100, random_state=11, resample=resample)
    y = pt.emphasis(many, by="province", n_boot=100, random_state=12, resample=resample)
    assert x["per_10k"].equals(y["per_10k"]) and not np.allclose(x["per_10k_low"], y["per_10k_low"])


def test_emphasis_flags_a_single_document_group_and_handles_absent_terms(tokens):
    e = pt.emphasis(tokens, by="province", n_boot=100)
    single = e[e["province"] == "四川省"]
    assert (single["n_docs"] == 1).all() and single["note"].str.contains("one document").all()
    assert single["single_document"].all() and single["interval_basis"].str.startswith("tokens of one document").all()
    hubei = e[e["province"] == "湖北省"]
    assert not hubei["single_document"].any() and hubei["note"].str.startswith("3 documents").all()
    assert hubei["interval_basis"].str.startswith("documents: bootstrap over 3").all()
    drivers = pt.emphasis_terms(tokens, by="province")
    never = drivers.groupby("term")["hits"].sum()
    assert (never == 0).any()  # some lexicon terms never occur, and are still listed
    summed = drivers.groupby(["province", "dimension"])["hits"].sum()
    assert summed.to_dict() == e.set_index(["province", "dimension"])["hits"].to_dict()


def test_emphasis_with_the_instrument_codebook_and_its_sub_instruments(tokens):
    by_type = pt.emphasis(tokens, by="province", lexicon="policy_instruments", n_boot=0)
    assert set(by_type["dimension"]) == {"supply", "environment", "demand"}
    sub = pt.emphasis(tokens, by="province", lexicon="policy_instruments", level="subdimension", n_boot=0)
    assert sub["dimension"].nunique() == 16
    assert sub.groupby("province")["hits"].sum().to_dict() == by_type.groupby("province")["hits"].sum().to_dict()


def test_emphasis_for_two_groups_and_for_thirty_one():
    rng = np.random.default_rng(0)
    words = np.array(["5G", "平台", "人才", "数据", "发展", "安全", "绿色"])
    n = 31 * 40
    toks = pd.DataFrame({"doc_id": np.repeat([f"d{i}" for i in range(62)], n // 62),
                         "para_id": np.tile(np.repeat(np.arange(4), 5), 62),
                         "position": np.tile(np.arange(20), 62),
                         "token": words[rng.integers(0, len(words), n)]})
    toks["province"] = toks["doc_id"].str[1:].astype(int) % 31
    e31 = pt.emphasis(toks, by="province", n_boot=50)
    assert e31["province"].nunique() == 31 and e31.groupby("province")["share"].sum().round(9).eq(1).all()
    toks["half"] = toks["province"] % 2
    assert pt.emphasis(toks, by="half", n_boot=50)["half"].nunique() == 2


def test_an_emphasis_lexicon_file_of_your_own(tmp_path, tokens):
    path = tmp_path / "mine.tsv"
    path.write_text("# mine\ndimension\tterm\nnet\t5G\nnet\t不存在的词\n", encoding="utf-8")
    e = pt.emphasis(tokens, by="province", lexicon=path, n_boot=0)
    assert e["dimension"].unique().tolist() == ["net"] and (e["share"].dropna() == 1.0).all()
    bad = tmp_path / "bad.tsv"
    bad.write_text("dimension\tword\nnet\t5G\n", encoding="utf-8")
    with pytest.raises(pt.CorpusError, match=r"bad\.tsv, line 1: column 'term' is missing"):
        pt.emphasis(tokens, lexicon=bad)


def test_every_shipped_emphasis_term_is_a_token(tokenizer):
    for name in pt.EMPHASIS_LEXICONS:
        lex = pt.read_emphasis_lexicon(name)
        assert not lex["term"].duplicated().any(), name
        assert [t for t in lex["term"] if tokenizer.tokenize_text(t) != [t]] == [], name


# --- order invariance and untouched inputs, for every function -----------------------------

CALLS = {
    "term_frequency": lambda t: pt.term_frequency(t, by="province"),
    "ngram_frequency": lambda t: pt.ngram_frequency(t, by="province"),
    "collocations": lambda t: pt.collocations(t, min_count=2),
    "tfidf": lambda t: pt.tfidf(t, by="province"),
    "similarity": lambda t: pt.similarity(t),
    "keyness": lambda t: pt.keyness(t, by="province"),
    "emphasis": lambda t: pt.emphasis(t, by="province", n_boot=50),
    "emphasis_terms": lambda t: pt.emphasis_terms(t, by="province"),
    "kwic": lambda t: pt.kwic(t, "工业互联网"),
}


@pytest.mark.parametrize("name", CALLS)
def test_shuffled_rows_change_nothing_and_inputs_are_untouched(tokens, name):
    snapshot = tokens.copy(deep=True)
    shuffled = tokens.sample(frac=1.0, random_state=5)
    shuffled_copy = shuffled.copy(deep=True)
    a, b = CALLS[name](tokens), CALLS[name](shuffled)
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))
    pd.testing.assert_frame_equal(tokens, snapshot)
    pd.testing.assert_frame_equal(shuffled, shuffled_copy)


def test_keyness_carries_the_smallest_p_its_permutations_can_reach_and_says_when_it_has_no_power():
    # six documents, two in the target: only C(6, 2) = 15 ways to choose them, so no p below 1/15
    rows = []
    for d in range(6):
        target = d < 2
        rows += [(f"d{d}", "甲" if target else "乙", "数据" if target else "平台")] * 30
        rows += [(f"d{d}", "甲" if target else "乙", f"词{j}") for j in range(12) for _ in range(3)]
    toks = pd.DataFrame(rows, columns=["doc_id", "province", "token"])
    key = pt.keyness(toks, by="province", target="甲", min_count=1, n_perm=3000, perm_stop=3000)
    floor = key["p_perm_floor"].iloc[0]
    assert floor == pytest.approx(1 / 15)
    assert key["p_perm_adjusted_floor"].iloc[0] == pytest.approx(min(1, len(key) / 15))
    # the term found only in the target's two documents is as extreme as a permutation can be: its p is the floor
    # (within Monte Carlo error of 3000 draws); no term reaches below it
    p_best = key.set_index("term").loc["数据", "p_perm"]
    assert abs(p_best - 1 / 15) < 3 * math.sqrt((1 / 15) * (14 / 15) / 3000)
    assert (key["p_perm"] >= floor - 3 * math.sqrt(floor * (1 - floor) / 3000)).all()
    assert key["note"].str.contains("no power").all()  # 14 terms x 1/15 is far above 0.05
    # many documents and permutations, few terms: the floor is 1 / (n_perm + 1), with power and no such note
    big = pd.concat([toks.assign(doc_id=toks["doc_id"] + f"_{r}") for r in range(8)], ignore_index=True)
    key = pt.keyness(big[big["token"].isin(["数据", "平台"])], by="province", target="甲", min_count=1, n_perm=199)
    assert key["p_perm_floor"].iloc[0] == pytest.approx(1 / 200)
    assert key["p_perm_adjusted_floor"].iloc[0] == pytest.approx(2 / 200)
    assert not key["note"].str.contains("no power").any()
    assert pt.keyness(toks, by="province", n_perm=0)["p_perm_floor"].isna().all()


def test_the_permutation_floor_counts_the_ways_to_choose_the_target_exactly():
    import math

    from policytext.compare.keyness import _more_choices_than

    for n_docs in range(1, 26):
        for n_target in range(0, n_docs + 1):
            for n_perm in (0, 9, 99, 999, 99_999):
                ways = math.comb(n_docs, n_target) if 0 < n_target < n_docs else 1
                floor, adjusted = pt.permutation_floor(n_perm, n_docs, n_target, 7)
                assert floor == max(1 / (n_perm + 1), 1 / ways)
                assert adjusted == min(1.0, 7 * floor)
                assert _more_choices_than(n_docs, n_target, n_perm + 1) == (ways >= n_perm + 1)


def test_the_permutation_floor_of_a_large_corpus_is_the_permutations_own():
    # C(29810, 7000) has thousands of digits: 1 / C overflowed a float on the 500 MB benchmark corpus
    assert pt.permutation_floor(200, 29810, 7000, 1000) == (1 / 201, 1.0)
