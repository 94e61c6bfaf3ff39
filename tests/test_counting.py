"""Counting: hand-computed frequencies, properties, order invariance, inputs untouched."""

from __future__ import annotations

import pandas as pd
import pytest

import policytext as pt

TINY = pd.DataFrame({
    "doc_id": ["a", "a", "a", "b", "c", "c", "c"],
    "province": ["P", "P", "P", "P", "Q", "Q", "Q"],
    "level": ["city", "city", "city", "province", "city", "city", "city"],
    "token": ["数据", "数据", "平台", "数据", "平台", "平台", "安全"],
})


def test_term_frequency_by_group_is_hand_computed():
    freq = pt.term_frequency(TINY, by="province")
    assert freq[["province", "term", "n", "doc_freq", "rank"]].values.tolist() == [
        ["P", "数据", 3, 2, 1], ["P", "平台", 1, 1, 2],
        ["Q", "平台", 2, 1, 1], ["Q", "安全", 1, 1, 2],
    ]
    # P has 4 tokens, Q has 3
    assert freq["per_10k"].round(2).tolist() == [7500.0, 2500.0, 6666.67, 3333.33]


def test_term_frequency_per_document_and_by_several_columns():
    per_doc = pt.term_frequency(TINY)
    assert per_doc.columns[0] == "doc_id"
    assert per_doc.loc[per_doc["doc_id"] == "b", ["term", "n", "doc_freq"]].values.tolist() == [["数据", 1, 1]]
    both = pt.term_frequency(TINY, by=["province", "level"])
    row = both[(both["province"] == "P") & (both["level"] == "city") & (both["term"] == "数据")]
    assert row[["n", "per_10k", "doc_freq"]].values.tolist() == [[2, 2 / 3 * 10_000, 1]]


def test_ties_share_the_lower_rank():
    toks = pd.DataFrame({"doc_id": ["a"] * 4, "token": ["乙", "甲", "丙", "丙"]})
    freq = pt.term_frequency(toks)
    assert dict(zip(freq["term"], freq["rank"])) == {"丙": 1, "乙": 2, "甲": 2}
    assert pt.top_terms(freq, n=2)["term"].tolist() == ["丙", "乙"]  # ties cut by term order


def test_rates_sum_to_ten_thousand_per_group(tokens):
    freq = pt.term_frequency(tokens, by="province")
    assert freq.groupby("province")["per_10k"].sum().round(6).eq(10_000).all()
    assert freq.groupby("province")["n"].sum().to_dict() == pt.with_metadata(tokens).groupby("province", observed=True).size().to_dict()


def test_row_order_does_not_matter_and_input_is_untouched(tokens):
    snapshot = tokens.copy(deep=True)
    shuffled = tokens.sample(frac=1.0, random_state=7)
    a = pt.term_frequency(tokens, by="province")
    b = pt.term_frequency(shuffled, by="province")
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(tokens, snapshot)


def test_top_terms_gives_n_rows_per_group(tokens):
    top = pt.top_terms(pt.term_frequency(tokens, by="province"), n=20)
    assert top.groupby("province").size().tolist() == [20, 20, 20]
    assert top.groupby("province")["n"].apply(lambda s: s.is_monotonic_decreasing).all()


def test_unknown_grouping_column_names_it():
    with pytest.raises(KeyError, match="no column \\['provnce'\\]"):
        pt.term_frequency(TINY, by="provnce")


def test_corpus_summary_adds_up(clean_docs, tokens):
    summary = pt.corpus_summary(tokens, clean_docs, by="province")
    total = summary.iloc[-1]
    assert total["province"] == "(all)"
    assert total["documents"] == 5 and total["tokens"] == len(tokens)
    assert total["chars"] == clean_docs["text_clean"].str.len().sum()
    assert total["chars_raw"] == clean_docs["text"].str.len().sum()
    assert total["units"] == len(pt.split_units(clean_docs))
    hubei = summary.set_index("province").loc["湖北省"]
    assert hubei["documents"] == 3


def test_a_missing_grouping_value_forms_its_own_group_and_is_logged(caplog):
    toks = TINY.assign(year=pd.array([2021] * 4 + [pd.NA] * 3, dtype="Int64"))
    freq = pt.term_frequency(toks, by="year")
    assert set(freq["year"]) == {"2021", "(none)"}
    assert freq["n"].sum() == len(toks)  # no token lost
    assert "1 document(s) have no year (e.g. c)" in caplog.text
    m = pt.term_matrix(toks, by="year")
    assert m.matrix.sum() == len(toks)


def test_an_empty_grouping_cell_is_the_group_none_too():
    toks = TINY.assign(province=["P", "P", "P", "", "", "", ""])
    freq = pt.term_frequency(toks, by="province")
    assert set(freq["province"]) == {"P", "(none)"} and freq["n"].sum() == len(toks)


def test_collocations_of_a_table_without_pairs_is_empty():
    toks = pd.DataFrame({"doc_id": ["a", "b"], "para_id": [0, 0], "position": [0, 0], "token": ["数据", "平台"]})
    out = pt.collocations(toks, min_count=1)
    assert out.empty and "pmi" in out.columns


def test_corpus_summary_with_integer_doc_ids():
    docs = pd.DataFrame({"doc_id": [1, 2], "province": ["鄂", "川"], "text": ["甲", "乙"],
                         "text_clean": ["加快工业互联网发展。", "数字经济"]})
    toks = pt.tokenize(docs, cache=False)
    summary = pt.corpus_summary(toks, docs, by="province").set_index("province")
    assert summary.loc["鄂", "tokens"] == 2 and summary.loc["川", "tokens"] == 1
    assert summary.loc["(all)", "units"] == 2


def test_sorted_codes_of_a_categorical_number_only_what_occurs_and_give_a_missing_value_minus_one():
    from policytext._core.codes import sorted_codes

    values = pd.Series(pd.Categorical(["b", None, "a", "z", "b"], categories=["z", "y", "d", "c", "b", "a"]))
    codes, names = sorted_codes(values)
    assert names.tolist() == ["a", "b", "z"]  # sorted, and the unused categories y, d, c left out
    assert codes.tolist() == [1, -1, 0, 2, 1]
    # the same as for the plain strings (factorize), the missing value aside
    plain_codes, plain_names = sorted_codes(pd.Series(["b", "a", "z", "b"]))
    assert plain_names.tolist() == names.tolist() and plain_codes.tolist() == [1, 0, 2, 1]
