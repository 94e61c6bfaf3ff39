"""Segmentation: units, token quality on the seeds, filters, stopword layers, cache, parallelism."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

import policytext as pt
from policytext._core import parallel as _parallel
from policytext.io import resources
from policytext.text import segmentation

KEY_TERMS = ["工业互联网", "数字经济", "数字化转型", "两化融合"]


# --- quality on the seeds (the conditions of the foundation issue) ---------------------

def test_key_terms_are_never_broken(clean_docs, tokens, tokenizer):
    text = "\n".join(clean_docs["text_clean"])
    counts = tokens["token"].value_counts()
    lexicon = set(tokenizer.terms_["term"])
    for term in KEY_TERMS:
        in_text = text.count(term)
        # tokens that are the term, or a longer lexicon term containing it (counted per occurrence)
        whole = sum(n * tok.count(term) for tok, n in counts.items()
                    if term in tok and (tok == term or tok in lexicon))
        assert in_text >= 10, term
        assert whole / in_text >= 0.95, (term, whole, in_text)


def test_key_terms_are_frequent_and_their_fragments_are_not(tokens):
    ranked = tokens["token"].value_counts().index.tolist()
    assert "工业互联网" in ranked[:15] and "数字经济" in ranked[:15]
    assert "互联" not in ranked[:200] and "联网" not in ranked[:200]


def test_without_the_lexicon_a_plain_segmenter_breaks_the_terms(clean_docs):
    # the lexicon is what makes the difference: jieba alone splits 两化融合 and 数字化转型
    plain = pt.PolicyTokenizer(lexicon=False, places=False, stopwords=[])
    text = "\n".join(clean_docs["text_clean"])
    toks = plain.tokenize_text(text)
    for term in KEY_TERMS:  # jieba 0.42.1 alone keeps none of them whole
        assert toks.count(term) < 0.5 * text.count(term), term


# --- the tokens table -------------------------------------------------------------------

def test_tokens_table_is_tidy_and_carries_the_metadata(clean_docs, tokens):
    assert tokens.columns.tolist() == ["doc_id", "para_id", "position", "token"]
    assert isinstance(tokens["token"].dtype, pd.CategoricalDtype)
    assert isinstance(tokens["doc_id"].dtype, pd.CategoricalDtype)
    joined = pt.with_metadata(tokens)
    meta = clean_docs.set_index("doc_id")
    for col in ("province", "city", "level", "year", "doc_type"):
        per_doc = joined.groupby("doc_id", observed=True)[col].first()
        assert per_doc.astype(str).tolist() == meta.loc[per_doc.index, col].astype(str).tolist(), col
    assert "text" not in joined.columns and "text_clean" not in joined.columns
    assert set(tokens["doc_id"].astype(str)) == set(clean_docs["doc_id"])
    assert pt.with_metadata(tokens, ["province"]).columns.tolist()[-1] == "province"
    # compact: under 20 bytes per token, whatever the number of metadata columns
    per_row = (tokens["doc_id"].cat.codes.nbytes + tokens["para_id"].nbytes + tokens["position"].nbytes
               + tokens["token"].cat.codes.nbytes) / len(tokens)
    assert per_row <= 16  # codes and integers; the vocabulary is stored once


def test_positions_increase_within_a_document_and_leave_gaps_where_tokens_were_dropped(tokens):
    for _, group in tokens.groupby("doc_id", observed=True):
        assert group["position"].is_monotonic_increasing and group["position"].is_unique
        assert group["para_id"].is_monotonic_increasing
    account = pt.tokenize_account(tokens)
    assert (account["n_tokens_raw"] > account["n_tokens"]).all()  # stopwords and punctuation went
    assert account["n_tokens"].sum() == len(tokens)


def test_tokenize_does_not_change_its_input(clean_docs):
    snapshot = clean_docs.copy(deep=True)
    pt.tokenize(clean_docs.iloc[:2], cache=False)
    pd.testing.assert_frame_equal(clean_docs, snapshot)


def test_tokens_by_province_need_no_merge(tokens):
    freq = pt.term_frequency(tokens, by="province")
    assert set(freq["province"]) == {"湖北省", "四川省", "山东省"}


# --- units --------------------------------------------------------------------------------

def test_units_are_paragraphs_with_stable_ids(clean_docs):
    a, b = pt.split_units(clean_docs), pt.split_units(clean_docs.iloc[::-1])
    key = ["doc_id", "para_id"]
    pd.testing.assert_frame_equal(a.sort_values(key).reset_index(drop=True), b.sort_values(key).reset_index(drop=True))
    shandong = a[a["doc_id"] == "shandong_2021_reply"]
    assert shandong["text"].iloc[0] == "关于加快山东制造业数字化转型的建议"
    assert shandong["text"].iloc[1] == "刘洪彬委员:"


def test_the_one_line_wuhan_draft_is_split_at_items_and_sentences(clean_docs):
    units = pt.split_units(clean_docs)
    lengths = units["text"].str.len()
    wuhan = units[units["doc_id"] == "wuhan_2021_draft"]
    assert clean_docs.set_index("doc_id").loc["wuhan_2021_draft", "text_clean"].count("\n") <= 3
    assert len(wuhan) >= 20
    assert lengths.max() <= 300
    assert lengths.max() <= 4 * lengths.median()
    # units start at numbered items where the text has them
    assert wuhan["text"].str.match(r"\([一二三四五六七八九十]+\)").sum() >= 10
    # splitting loses nothing but white space
    text = clean_docs.set_index("doc_id").loc["wuhan_2021_draft", "text_clean"]
    assert re.sub(r"\s", "", "".join(wuhan["text"])) == re.sub(r"\s", "", text)


def test_a_sentence_longer_than_the_limit_is_cut_at_clauses():
    text = "甲" * 50 + "," + "乙" * 50 + "," + "丙" * 50 + "。"
    units = pt.split_units(pd.DataFrame({"doc_id": ["x"], "text_clean": [text]}), max_chars=60)
    assert units["text"].tolist() == ["甲" * 50 + ",", "乙" * 50 + ",", "丙" * 50 + "。"]


# --- filters and stopwords ------------------------------------------------------------------

SENTENCE = "推进5G、IPv6+和DCMM贯标,开发一批APP,2021年投资4.2亿元,增长10%,的确有二十个省。"


def test_filters_keep_policy_terms_with_digits_and_latin_letters(tokenizer):
    toks = tokenizer.tokenize_text(SENTENCE)
    for kept in ("5G", "IPv6+", "DCMM", "APP"):
        assert kept in toks
    for dropped in ("2021", "4.2", "10%", "二十个", ",", "、", "。", "年", "省"):
        assert dropped not in toks


@pytest.mark.parametrize("option, token", [
    ({"drop_numbers": False}, "2021"),
    ({"drop_punct": False, "drop_single": False}, ","),  # a comma is also a single character
    ({"drop_single": False}, "省"),
    ({"keep": ["二十个"]}, "二十个"),
])
def test_each_filter_can_be_switched_off(option, token):
    assert token not in pt.PolicyTokenizer().tokenize_text(SENTENCE)
    assert token in pt.PolicyTokenizer(**option).tokenize_text(SENTENCE)


def test_stopword_layers_are_separate_and_switchable():
    text = "各级有关部门要进一步加快工业互联网发展的步伐"
    both = pt.PolicyTokenizer().tokenize_text(text)
    general_only = pt.PolicyTokenizer(stopwords=["general"]).tokenize_text(text)
    none = pt.PolicyTokenizer(stopwords=[]).tokenize_text(text)
    assert "进一步" not in both and "各级" not in both
    assert "进一步" in general_only and "各级" in general_only
    assert "的" not in general_only  # single character, dropped by the filter anyway
    assert "有关" not in general_only and "有关" in none  # 有关 is in stopwords-iso's list
    assert both.count("工业互联网") == 1


def test_general_layer_comes_from_stopwords_iso():
    import stopwordsiso

    tk = pt.PolicyTokenizer(stopwords=["general"])
    assert set(stopwordsiso.stopwords("zh")) <= tk.stopwords_
    with pytest.raises(ValueError, match="unknown stopword layer"):
        pt.PolicyTokenizer(stopwords=["english"])


def test_user_stopwords_and_dictionaries(tmp_path):
    stop = tmp_path / "stop.txt"
    stop.write_text("\ufeff# my layer\r\n赋能\r\n", encoding="utf-8")  # BOM and CRLF must not matter
    words = tmp_path / "words.txt"
    words.write_text("\ufeff链主企业群 n\r\n", encoding="utf-8")
    text = "以数字技术赋能链主企业群"
    assert "赋能" in pt.PolicyTokenizer().tokenize_text(text)
    tk = pt.PolicyTokenizer(stopword_files=[stop], user_dicts=[words])
    toks = tk.tokenize_text(text)
    assert "赋能" not in toks and "链主企业群" in toks


def test_shipped_lexicon_has_the_promised_content(tokenizer):
    terms = tokenizer.terms_
    policy = terms[terms["source"] == "policy_terms"]
    assert len(policy) >= 300 and (policy["term"].str.len() >= 2).all()
    for term in ["工业互联网", "数字经济", "5G", "IPv6+", "DCMM", "数据中心", "平台经济", "网络安全", "专项资金",
                 "高技能人才", "营商环境", "绿色低碳", "标识解析", "两化融合", "数字化转型"]:
        assert term in set(policy["term"]), term
    places = set(terms.loc[terms["source"] == "places", "term"])
    table = resources.read_places()
    assert (table["kind"].isin(["province", "autonomous_region", "municipality", "sar"])).sum() == 34
    assert (table["city"] != "").sum() == 333
    assert {"湖北省", "武汉市", "咸宁市", "恩施土家族苗族自治州", "锡林郭勒盟", "大兴安岭地区"} <= places


@pytest.mark.parametrize("engine", ["rjieba", "jieba"])
def test_every_lexicon_term_comes_out_whole_on_its_own(engine):
    tk = pt.PolicyTokenizer(engine=engine)
    tk._tokenizer()
    broken = [t for t in tk.terms_.loc[tk.terms_["source"] != "stopwords", "term"] if tk._cut(t) != [t]]
    assert broken == []


@pytest.mark.parametrize("engine", ["rjieba", "jieba"])
def test_terms_come_out_whole_inside_text_with_either_engine(engine, tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("链主企业群 n\n", encoding="utf-8")
    tk = pt.PolicyTokenizer(engine=engine, user_dicts=[words])
    toks = tk.tokenize_text("湖北武汉加快工业互联网和数字化转型,培育链主企业群,建设粤港澳大湾区")
    assert {"湖北", "武汉", "工业互联网", "数字化转型", "链主企业群", "粤港澳大湾区"} <= set(toks)


def test_the_engines_agree_on_the_seeds(clean_docs):
    fast = pt.tokenize(clean_docs, cache=False)
    slow = pt.tokenize(clean_docs, cache=False, engine="jieba")
    a, b = fast["token"].astype(str).tolist(), slow["token"].astype(str).tolist()
    import difflib

    same = sum(block.size for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    assert same / max(len(a), len(b)) > 0.995
    with pytest.raises(ValueError, match="engine must be one of"):
        pt.PolicyTokenizer(engine="thulac")


def test_no_global_jieba_state_and_no_work_at_import():
    code = textwrap.dedent("""
        import sys
        import policytext as pt
        assert not {"jieba", "rjieba", "opencc"} & set(sys.modules), "work at import time"
        import pandas as pd
        docs = pd.DataFrame({"doc_id": ["a"], "text_clean": ["加快工业互联网发展"]})
        toks = pt.tokenize(docs, cache=False, engine="jieba")
        import jieba
        assert toks["token"].tolist() == ["工业互联网", "发展"]
        assert not jieba.dt.initialized and not jieba.dt.FREQ, "the global jieba tokenizer was used"
        import rjieba
        assert pt.tokenize(docs, cache=False)["token"].tolist() == ["工业互联网", "发展"]
        assert not rjieba.has_word("工业互联网"), "the global rjieba tokenizer was used"
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


# --- cache ----------------------------------------------------------------------------------

SMALL = pd.DataFrame({
    "doc_id": ["a", "b"],
    "province": ["湖北省", "四川省"],
    "text_clean": ["加快推进工业互联网创新发展,2021年建成5G基站3970个。\n进一步推动两化融合。",
                   "数字经济引领增长态势基本形成,数字化转型取得显著成效。"],
})


def run(cache_dir, docs=SMALL, **options):
    tk = pt.PolicyTokenizer(**options)
    table = pt.tokenize(docs, tokenizer=tk, cache_dir=cache_dir)
    return tk, table


def misses(table) -> int:
    """Documents segmented, not read from the cache (the tokenize account says which)."""
    return int((~pt.tokenize_account(table)["from_cache"]).sum())


def test_warm_cache_gives_the_same_table_without_segmenting(tmp_path):
    cold_tk, cold = run(tmp_path)
    warm_tk, warm = run(tmp_path)
    assert (misses(cold), misses(warm), int(pt.tokenize_account(warm)["from_cache"].sum())) == (2, 0, 2)
    assert "cache_hits_" not in warm_tk.__dict__  # tokenize writes nothing onto the tokenizer it is given
    assert warm_tk._jieba is None  # the segmenter was not even initialised
    pd.testing.assert_frame_equal(cold, warm)
    assert pt.tokenize_account(warm)["from_cache"].all()


@pytest.mark.parametrize("change", [
    {"lexicon": False}, {"places": False}, {"stopwords": ["general"]}, {"drop_punct": False},
    {"drop_numbers": False}, {"drop_single": False}, {"keep": ["的"]}, {"hmm": False}, {"pos": True},
    {"max_unit_chars": 40},
], ids=lambda c: next(iter(c)))
def test_any_change_of_an_option_recomputes(tmp_path, change):
    run(tmp_path)
    assert misses(run(tmp_path, **change)[1]) == 2
    assert misses(run(tmp_path, **change)[1]) == 0


def test_changed_contents_of_user_files_recompute_at_the_same_path(tmp_path):
    words, stop = tmp_path / "words.txt", tmp_path / "stop.txt"
    words.write_text("态势基本形成 n\n", encoding="utf-8")
    stop.write_text("成效\n", encoding="utf-8")
    cache = tmp_path / "cache"
    assert misses(run(cache, user_dicts=[words], stopword_files=[stop])[1]) == 2
    assert misses(run(cache, user_dicts=[words], stopword_files=[stop])[1]) == 0
    words.write_text("态势基本形成 n\n引领增长 n\n", encoding="utf-8")
    assert misses(run(cache, user_dicts=[words], stopword_files=[stop])[1]) == 2
    stop.write_text("成效\n态势\n", encoding="utf-8")  # a word no other layer has
    assert misses(run(cache, user_dicts=[words], stopword_files=[stop])[1]) == 2


def test_changed_shipped_lexicon_or_stopwords_recompute(tmp_path, monkeypatch):
    run(tmp_path)
    real = resources.data_path
    extra = tmp_path / "lexicon"
    extra.mkdir()
    (extra / "policy_terms.txt").write_text(real("lexicon", "policy_terms.txt").read_text(encoding="utf-8")
                                            + "\n态势基本形成 n\n", encoding="utf-8")
    monkeypatch.setattr(resources, "data_path", lambda *p: extra / p[-1] if p[-1] == "policy_terms.txt" else real(*p))
    assert misses(run(tmp_path)[1]) == 2
    (extra / "policy_boilerplate.txt").write_text("成效\n", encoding="utf-8")
    monkeypatch.setattr(resources, "data_path", lambda *p: extra / p[-1] if p[-1] == "policy_boilerplate.txt"
                        else real(*p))
    assert misses(run(tmp_path)[1]) == 2


def test_a_new_engine_version_recomputes(tmp_path, monkeypatch):
    run(tmp_path)
    monkeypatch.setattr(segmentation, "_engine_version", lambda engine: f"{engine} 99.0")
    assert misses(run(tmp_path)[1]) == 2
    assert misses(run(tmp_path, engine="jieba")[1]) == 2  # another engine, other entries


def test_only_changed_texts_recompute(tmp_path):
    run(tmp_path)
    changed = SMALL.copy()
    changed.loc[1, "text_clean"] = "数字经济引领增长。"
    tk, table = run(tmp_path, docs=changed)
    assert misses(table) == 1
    assert pt.tokenize_account(table)["from_cache"].tolist() == [True, False]


def test_a_damaged_cache_entry_is_recomputed(tmp_path):
    _, first = run(tmp_path)
    entries = list((tmp_path / "tokens").rglob("*.npz"))
    assert len(entries) == 2
    entries[0].write_bytes(b"not an archive")
    tk, table = run(tmp_path)
    assert misses(table) == 1 and len(table) > 0
    pd.testing.assert_frame_equal(first, table)


# --- parallel -----------------------------------------------------------------------------------

def test_two_processes_give_the_same_table_as_one(clean_docs):
    one = pt.tokenize(clean_docs, cache=False, n_jobs=1)
    two = pt.tokenize(clean_docs, cache=False, n_jobs=2)
    pd.testing.assert_frame_equal(one, two)


def test_the_pool_works_with_spawned_workers(clean_docs, monkeypatch):
    # spawn is the default on Windows and macOS: workers rebuild the tokenizer from its configuration
    monkeypatch.setattr(_parallel, "START_METHOD", "spawn")
    two = pt.tokenize(clean_docs.iloc[:3], cache=False, n_jobs=2)
    pd.testing.assert_frame_equal(two, pt.tokenize(clean_docs.iloc[:3], cache=False))


def test_duplicate_doc_ids_are_refused(clean_docs):
    with pytest.raises(ValueError, match="doc_id must be unique"):
        pt.tokenize(pd.concat([clean_docs.iloc[:1], clean_docs.iloc[:1]]), cache=False)


# --- the fast path against a plain loop ------------------------------------------------------

def _plain_tokens(tokenizer, text: str) -> list[tuple[int, int, str]]:
    """(unit, position, token) by the definition: every word of every unit, white space skipped, each
    other word counted, the kept ones listed (one test per word, no arrays)."""
    rows, position = [], 0
    for unit, (start, end) in enumerate(pt.unit_spans(text, tokenizer.max_unit_chars)):
        for word, _ in tokenizer._segment(text[start:end]):
            if word.isspace():
                continue
            if tokenizer._keep(word):
                rows.append((unit, position, word))
            position += 1
    return rows


#: Alphanumeric runs the segmenter may split, joiners that join and do not, runs at unit ends, and a long
#: line hard-cut inside a run (units of at most 40 characters below).
_RUNS = ("\n 5G-A与GB/T 12345和55GWh  ，\n5G-A-B与A - -和GB/T/x,v1.0.以及4G/5G网络\n5G\nA 55GWh-\n/T\n"
         + "加快推动工业互联网发展" * 3 + "ABC123DEF456" + "数字经济" * 8 + "\n")


@pytest.mark.parametrize("options", [{}, {"engine": "jieba"}, {"max_unit_chars": 40}],
                         ids=["rjieba", "jieba", "short-units"])
def test_tokens_and_positions_are_those_of_a_plain_loop_over_the_words(clean_docs, options):
    tokenizer = pt.PolicyTokenizer(**options)
    docs = clean_docs.assign(text_clean=clean_docs["text_clean"] + _RUNS)
    tokens = pt.tokenize(docs, tokenizer=tokenizer, cache=False)
    for doc_id, text in zip(docs["doc_id"].astype(str), docs["text_clean"]):
        got = tokens[tokens["doc_id"] == doc_id]
        expected = _plain_tokens(tokenizer, text)
        assert list(zip(got["para_id"].tolist(), got["position"].tolist(), got["token"].astype(str).tolist())) \
            == expected, doc_id
        account = pt.tokenize_account(tokens).set_index("doc_id").loc[doc_id]
        assert account["n_tokens_raw"] == sum(1 for unit_start, unit_end in pt.unit_spans(text, tokenizer.max_unit_chars)
                                              for word, _ in tokenizer._segment(text[unit_start:unit_end])
                                              if not word.isspace())


def test_vocabularies_mapped_in_small_batches_give_the_same_table(clean_docs, monkeypatch):
    whole = pt.tokenize(clean_docs, cache=False)
    monkeypatch.setattr(segmentation._Assembler, "VOCAB_BATCH", 7)  # a batch after every document or two
    pd.testing.assert_frame_equal(pt.tokenize(clean_docs, cache=False), whole)


# --- clauses as the unit -------------------------------------------------------------------------------------

_REGULATION = ("某省数据条例\n第一章 总则\n第一条 为了促进数据要素市场发展，制定本条例。\n"
               "第二条 本条例适用于本省行政区域内的数据处理活动。\n数据处理者应当依法履行数据安全保护义务。\n"
               "第二章 数据开放\n第三条 县级以上人民政府应当推进公共数据开放，包括：\n（一）制定公共数据开放目录；\n"
               "（二）建设统一的公共数据开放平台。\n")


def test_clauses_are_a_unit_of_tokenize_with_their_ids_and_paths():
    docs = pd.DataFrame({"doc_id": ["r"], "text_clean": [_REGULATION]})
    tokens = pt.tokenize(docs, unit="clause", cache=False)
    units = pt.tokenized_units(tokens)
    clauses = pt.split_clauses(docs)
    assert units[["start", "end"]].values.tolist() == clauses[["start", "end"]].values.tolist()
    assert units["clause_id"].tolist() == clauses["clause_id"].tolist()
    assert units["path"].tolist() == clauses["path"].tolist()
    # by hand: the 条 and their 款 and 项 are the clauses; the chapter headings are not
    assert units["path"].tolist() == ["序言", "第一章/第一条", "第一章/第二条/第一款", "第一章/第二条/第二款",
                                      "第二章/第三条", "第二章/第三条/（一）", "第二章/第三条/（二）"]
    tokenizer = pt.PolicyTokenizer(unit="clause")
    for para_id, (start, end) in enumerate(units[["start", "end"]].itertuples(index=False)):
        got = tokens.loc[tokens["para_id"] == para_id, "token"].astype(str).tolist()
        assert got == tokenizer.tokenize_text(_REGULATION[start:end])
    assert "总则" not in set(tokens["token"].astype(str)) and "数据开放" not in set(tokens["token"].astype(str))
    assert tokenizer.get_params()["unit"] == "clause" and tokenizer.fingerprint_ != pt.PolicyTokenizer().fingerprint_
    with pytest.raises(ValueError, match="unit"):
        pt.PolicyTokenizer(unit="sentence")
