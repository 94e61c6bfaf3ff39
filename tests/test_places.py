"""Place names out of the way on request, and user stopwords that win over the lexicons."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest

import policytext as pt
from policytext.io import resources

CITY = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "city-gov-reports-2024"


def test_place_names_come_from_the_division_tables():
    names = pt.place_names().set_index("name")
    # provinces, prefectures and counties with their usual short forms, as the issue lists them
    assert names.loc[["湖北省", "湖北", "武汉市", "武汉", "潜江市", "潜江", "天门"], "kind"].tolist() == [
        "province", "province", "prefecture", "prefecture", "county", "county", "county"]
    # every county-level name of the cpca table is there (its full form), unless the exclusion list keeps it
    counties = resources.read_counties()
    excluded = set(resources.read_wordlist(resources.data_path("lexicon", "place_names_excluded.txt")))
    missing = set(counties["name"]) - set(names.index) - excluded
    assert missing == set()
    assert len(counties) > 2800 and counties["province"].ne("").all()
    # short forms lose the suffix and the ethnic groups' names: 长阳土家族自治县 -> 长阳
    assert "长阳" in names.index and "本溪" in names.index
    # ordinary words are not place names: 资源县 (list), 合作市 (a frequent verb-noun in jieba), 新城区 (list)
    for word in ("资源", "合作", "振兴", "新城区", "发展"):
        assert word not in names.index, word
    # regions and state-level new areas
    assert {"京津冀", "成渝", "川南", "雄安新区"} <= set(names.index)


def test_an_empty_exclusion_list_drops_every_name(tmp_path):
    assert "资源" in set(pt.place_names(exclusions=[])["name"])
    mine = tmp_path / "keep.txt"
    mine.write_text("潜江\n", encoding="utf-8")
    assert "潜江" not in set(pt.place_names(exclusions=[mine])["name"])


def test_drop_places_in_tokenize_equals_dropping_them_afterwards(clean_docs):
    kept = pt.tokenize(clean_docs, cache=False)
    dropped = pt.tokenize(clean_docs, cache=False, drop_places=True)
    names = set(pt.place_names()["name"])
    assert kept["token"].isin(names).sum() > 20  # the seeds name places: 湖北, 武汉, 山东, 四川 ...
    assert not dropped["token"].isin(names).any()
    pd.testing.assert_frame_equal(pt.drop_place_names(kept), dropped, check_categorical=False)
    # nothing else changed: the other tokens keep their positions
    assert len(kept) - len(dropped) == kept["token"].isin(names).sum()


def test_drop_places_wins_over_the_lexicon_and_keep_wins_over_everything():
    text = "武汉加快工业互联网发展，潜江和天门建设5G基站"
    assert pt.PolicyTokenizer().tokenize_text(text)[:1] == ["武汉"]  # a lexicon (place) term, kept by default
    dropped = pt.PolicyTokenizer(drop_places=True).tokenize_text(text)
    assert not {"武汉", "潜江", "天门"} & set(dropped) and "工业互联网" in dropped
    assert "武汉" in pt.PolicyTokenizer(drop_places=True, keep=["武汉"]).tokenize_text(text)


def test_user_stopwords_remove_a_lexicon_term_and_say_so(tmp_path, caplog):
    stop = tmp_path / "mine.txt"
    stop.write_text("工业互联网\n5G基站\n", encoding="utf-8")
    text = "加快工业互联网发展，建设5G基站"
    assert {"工业互联网", "5G基站"} <= set(pt.PolicyTokenizer().tokenize_text(text))
    with caplog.at_level(logging.WARNING, logger="policytext"):
        tk = pt.PolicyTokenizer(stopword_files=[stop])
        toks = tk.tokenize_text(text)
    assert "工业互联网" not in toks and "5G基站" not in toks and "发展" in toks
    assert any("removes 2 lexicon term(s)" in r.getMessage() and "mine.txt" in r.getMessage()
               for r in caplog.records)
    # the shipped layers still never remove a lexicon term, and keep beats the user's stopwords
    assert "工业互联网" in pt.PolicyTokenizer(stopword_files=[stop], keep=["工业互联网"]).tokenize_text(text)


def test_the_fingerprint_changes_with_drop_places_and_user_stopwords(tmp_path):
    stop = tmp_path / "mine.txt"
    stop.write_text("发展\n", encoding="utf-8")
    prints = {pt.PolicyTokenizer().fingerprint_, pt.PolicyTokenizer(drop_places=True).fingerprint_,
              pt.PolicyTokenizer(stopword_files=[stop]).fingerprint_}
    assert len(prints) == 3


@pytest.fixture(scope="module")
def city_tokens():
    if not (CITY / "metadata.csv").is_file():
        pytest.skip("the shared city corpus is not beside this checkout")
    docs = pt.clean(pt.load_corpus(CITY), progress=False)
    return pt.tokenize(docs, n_jobs=2, progress=False)


@pytest.mark.corpus
def test_top_keyness_terms_of_sichuan_hold_no_place_name(city_tokens):
    dropped = pt.drop_place_names(city_tokens)
    k = pt.keyness(dropped, by="province", target="四川省", n_perm=0)
    top = k[k["direction"] == "over"].head(20)["term"].tolist()
    # an independent list: every division name of the cpca table and of places.csv, full and without suffix,
    # and the Sichuan names the issue saw at the top
    counties = resources.read_counties()["name"]
    places = resources.read_places()
    full = set(counties) | set(places["province"]) | set(places["city"]) - {""}
    short = {n[:-1] for n in full if len(n) >= 3 and n[-1] in "省市县区旗"} | set(places["province_short"]) | set(
        places["city_short"])
    named = {"宜宾", "广安", "绵阳", "乐山", "成都", "泸州", "南充", "内江", "雅安", "德阳", "甘孜", "阿坝", "资阳",
             "四川", "天府", "成渝", "川南"}
    excluded = set(resources.read_wordlist(resources.data_path("lexicon", "place_names_excluded.txt")))
    assert [t for t in top if t in (full | short | named) - excluded] == []
    # without dropping, the same list is mostly place names (the problem this solves)
    before = pt.keyness(city_tokens, by="province", target="四川省", n_perm=0)
    before = before[before["direction"] == "over"].head(20)["term"]
    assert before.isin(full | short | named).sum() >= 10
