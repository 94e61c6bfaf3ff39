"""Common sources of text reuse: a passage two documents both share with a registered source is the source's,
not borrowing between them; the summaries with and without such passages; the genre formulas of work reports
in the boilerplate list."""

from __future__ import annotations

import random
import re
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import policytext as pt
from policytext import reuse
from policytext._core import attrs
from policytext.reuse import sources

CITY = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "city-gov-reports-2024"

#: Characters the filler between the planted passages is drawn from (random text shares no passage).
POOL = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定"
        "行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然"
        "前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系")
#: The passage every document quotes from the national one (about 120 characters, written for this test).
QUOTE = ("各县区要统筹推进城乡供水一体化，新建改造输配水管网三百公里，确保农村自来水普及率稳定在百分之九十八以上，"
         "同步建立水质监测和应急供水保障机制，完善水费收缴和工程管护制度，做到有人管、有钱管、管得好，让群众喝上放心水。")
#: The passage only A and B share (borrowing between them).
OWN = ("两地共建的跨界产业合作园区实行统一规划、统一招商、统一标准，税收按投资比例分成，首期开发面积十二平方公里，"
       "重点引进新能源装备和精细化工项目。")


def _filler(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(POOL) for _ in range(n)) + "。"


@pytest.fixture(scope="module")
def planted():
    """national (the source), A, B and D quote QUOTE; A and B also share OWN; C shares nothing."""
    rng = random.Random(7)

    def f(n: int) -> str:
        return _filler(rng, n)

    texts = {
        "national": f(300) + QUOTE + f(300),
        "a": f(200) + QUOTE + f(250) + OWN + f(200),
        "b": f(150) + OWN + f(300) + QUOTE + f(150),
        "c": f(700),
        "d": f(250) + QUOTE.replace("三百", "四百") + f(250),  # quoted with a changed number
    }
    docs = pd.DataFrame({"doc_id": list(texts), "text_clean": list(texts.values()),
                         "level": ["national", "city", "city", "city", "city"],
                         "province": [None, "湖北省", "山东省", "四川省", "河南省"]})
    return docs, reuse.find_reuse(docs, by="province", window=40)


def _rows(table: pd.DataFrame) -> dict:
    """(doc_a, doc_b, passage) -> the row, the passage named by which planted text it holds."""
    out = {}
    for r in table.itertuples(index=False):
        what = "quote" if "供水" in r.text_a else ("own" if "园区" in r.text_a else "?")
        out[(r.doc_a, r.doc_b, what)] = r
    return out


def test_the_planted_corpus_holds_the_passages_it_should(planted):
    _, found = planted
    assert set(_rows(found)) == {("a", "national", "quote"), ("b", "national", "quote"), ("d", "national", "quote"),
                                 ("a", "b", "quote"), ("a", "b", "own"), ("a", "d", "quote"), ("b", "d", "quote")}


def test_a_passage_both_share_with_the_source_is_the_sources_and_the_rest_stays(planted):
    docs, found = planted
    before_docs, before_found = docs.copy(deep=True), found.copy(deep=True)
    marked = reuse.attribute_sources(found, docs, sources="level == 'national'")
    pd.testing.assert_frame_equal(docs, before_docs)  # inputs not modified
    pd.testing.assert_frame_equal(found, before_found)
    assert list(marked.columns) == list(found.columns) + ["common_source", "source_share"]
    rows = _rows(marked)
    for key in [("a", "b", "quote"), ("a", "d", "quote"), ("b", "d", "quote")]:
        assert rows[key].common_source == "national" and rows[key].source_share >= 0.9
    own = rows[("a", "b", "own")]
    assert own.common_source is None and own.source_share == 0.0  # none of its 8-grams is in the national text
    for key in [("a", "national", "quote"), ("b", "national", "quote"), ("d", "national", "quote")]:
        # borrowing from the source itself stays; no other source to measure against
        assert rows[key].common_source is None and np.isnan(rows[key].source_share)
    # the settings are recorded without hiding find_reuse's, which the summaries read
    assert attrs.params_of(marked, "attribute_sources")["min_share"] == 0.5
    assert attrs.params_of(marked, "reuse")["min_length"] == 50
    account = reuse.source_account(marked)
    assert account[["doc_id", "origin", "passages", "doc_pairs", "own_passages"]].values.tolist() == [
        ["national", "corpus", 3, 3, 3]]
    # the same by doc_id
    pd.testing.assert_frame_equal(reuse.attribute_sources(found, docs, sources=["national"]), marked)


def test_pairs_groups_and_network_with_and_without_common_sources_counted_by_hand(planted):
    docs, found = planted
    marked = pt.attribute_sources(found, docs, sources="level == 'national'")
    between = pt.without_sources(marked)

    def pairs(table: pd.DataFrame) -> set:
        return set(zip(table["doc_a"], table["doc_b"]))

    everything = {("a", "national"), ("b", "national"), ("d", "national"), ("a", "b"), ("a", "d"), ("b", "d")}
    assert pairs(pt.reuse_pairs(marked, docs)) == everything
    assert pairs(pt.reuse_pairs(between, docs)) == {("a", "national"), ("b", "national"), ("d", "national"), ("a", "b")}
    ab = pt.reuse_pairs(between, docs).set_index(["doc_a", "doc_b"]).loc[("a", "b")]
    own = _rows(found)[("a", "b", "own")]
    assert ab["passages"] == 1 and ab["chars_a"] == own.end_a - own.start_a and abs(ab["chars_a"] - len(OWN)) <= 3
    assert pt.reuse_pairs(marked, docs).set_index(["doc_a", "doc_b"]).loc[("a", "b"), "passages"] == 2
    # groups: five single-document groups, ten pairs of different groups; six share a passage, four without
    # the quotations; among the four provinces (the national report's group left out) three, then one
    for table, every, provinces in ((marked, 6, 3), (between, 4, 1)):
        groups = pt.reuse_groups(table, docs, by="province")
        other = groups[groups["province_a"] != groups["province_b"]]
        assert len(other) == 10 and int((other["doc_pairs_with_reuse"] > 0).sum()) == every
        cities = other[(other["province_a"] != "(none)") & (other["province_b"] != "(none)")]
        assert len(cities) == 6 and int((cities["doc_pairs_with_reuse"] > 0).sum()) == provinces
    graph = pt.reuse_network(between, docs)
    assert {tuple(sorted(e)) for e in graph.edges} == {("a", "national"), ("b", "national"), ("d", "national"),
                                                       ("a", "b")}
    assert set(graph.nodes) == set(docs["doc_id"])
    assert between.attrs["params"] == found.attrs["params"]


def test_a_source_given_as_a_text_works_the_same(planted):
    docs, found = planted
    national = docs.set_index("doc_id").loc["national", "text_clean"]
    cities = docs[docs["doc_id"] != "national"].reset_index(drop=True)
    found_cities = reuse.find_reuse(cities, by="province", window=40)
    # the source as published: full-width punctuation and line breaks, which are not compared
    published = national.replace("，", "，\n").replace("、", "、 ")
    marked = reuse.attribute_sources(found_cities, cities, texts=pd.DataFrame({"doc_id": ["central"],
                                                                               "text": [published]}))
    rows = _rows(marked)
    assert set(rows) == {("a", "b", "quote"), ("a", "b", "own"), ("a", "d", "quote"), ("b", "d", "quote")}
    assert all(rows[k].common_source == "central" for k in rows if k[2] == "quote")
    assert rows[("a", "b", "own")].common_source is None
    assert set(zip(*[reuse.without_sources(marked)[c] for c in ("doc_a", "doc_b")])) == {("a", "b")}
    # the shares are those of the corpus's own copy of the source
    in_corpus = reuse.attribute_sources(found, docs, sources="level == 'national'")
    same = _rows(in_corpus)
    for key, row in rows.items():
        assert row.source_share == pytest.approx(same[key].source_share)
    assert reuse.source_account(marked)["origin"].tolist() == ["texts"]


def test_the_share_is_computed_as_the_documentation_says_by_hand():
    docs = pd.DataFrame({"doc_id": ["src", "x", "y"], "text": ["一二三四五六", "", ""]})
    p = pd.DataFrame({"doc_a": ["x", "x"], "doc_b": ["y", "y"],
                      "text_a": ["一二三四五六七八九十", "一二三四五六七八九十"],
                      "text_b": ["一二三，四五六七八九十！", "七八九十甲乙丙丁"]})
    # 3-grams 一二三 二三四 三四五 四五六 are in the source: 6 of 10 characters; punctuation is not compared
    got = reuse.attribute_sources(p, docs, sources=["src"], ngram=3, min_share=0.6)
    assert got["source_share"].tolist() == [0.6, 0.0] and got["common_source"].tolist() == ["src", None]
    # both sides must share it: side b of the second passage shares nothing with the source
    assert reuse.attribute_sources(p, docs, sources=["src"], ngram=3, min_share=0.61)["common_source"].isna().all()
    # 4-grams: 一二三四 二三四五 三四五六 cover the same six characters
    assert reuse.attribute_sources(p, docs, sources=["src"], ngram=4)["source_share"].tolist() == [0.6, 0.0]
    # only spans given: the texts are read from the documents
    spans = pd.DataFrame({"doc_a": ["src"], "doc_b": ["x"], "start_a": [0], "end_a": [6], "start_b": [0],
                          "end_b": [0]})
    assert np.isnan(reuse.attribute_sources(spans, docs, sources=["src"])["source_share"].iloc[0])


def _brute_force_share(text: str, source: str, n: int) -> float:
    """The share of ``text``'s letters and digits in an n-gram of ``source``: a mask, position by position."""
    t, s = sources.comparable(text), sources.comparable(source)
    grams = {s[i:i + n] for i in range(len(s) - n + 1)}
    mask = np.zeros(len(t), dtype=bool)
    for i in range(len(t) - n + 1):
        if t[i:i + n] in grams:
            mask[i:i + n] = True
    return float(mask.mean()) if len(t) else 0.0


def test_the_share_agrees_with_a_brute_force_count_and_is_symmetric_in_the_two_sides():
    rng = random.Random(3)
    alphabet = "甲乙丙丁戊己"  # few characters: many n-grams recur by chance
    src_text = "".join(rng.choice(alphabet) for _ in range(300))
    docs = pd.DataFrame({"doc_id": ["src"], "text": [src_text]})
    a = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(5, 60))) for _ in range(40)]
    b = ["".join(rng.choice(alphabet) for _ in range(rng.randrange(5, 60))) for _ in range(40)]
    p = pd.DataFrame({"doc_a": ["x"] * 40, "doc_b": ["y"] * 40, "text_a": a, "text_b": b})
    for n in (3, 5):
        got = reuse.attribute_sources(p, docs, sources=["src"], ngram=n)["source_share"].to_numpy()
        expected = [min(_brute_force_share(x, src_text, n), _brute_force_share(y, src_text, n)) for x, y in zip(a, b)]
        np.testing.assert_allclose(got, expected)
        swapped = p.rename(columns={"text_a": "text_b", "text_b": "text_a"})
        np.testing.assert_allclose(reuse.attribute_sources(swapped, docs, sources=["src"], ngram=n)["source_share"],
                                   got)
    # a passage copied from the source is wholly in it
    copied = p.assign(text_a=src_text[10:70], text_b=src_text[100:150]).head(1)
    assert reuse.attribute_sources(copied, docs, sources=["src"])["source_share"].iloc[0] == 1.0


def test_every_input_is_accounted_for(planted):
    docs, found = planted
    with pytest.raises(ValueError, match="level == 'provincial'"):
        reuse.attribute_sources(found, docs, sources="level == 'provincial'")
    with pytest.raises(ValueError, match="not a query"):
        reuse.attribute_sources(found, docs, sources="rank == 1")
    with pytest.raises(ValueError, match="'capital'"):
        reuse.attribute_sources(found, docs, sources=["capital"])
    with pytest.raises(ValueError, match="sources=.*texts="):
        reuse.attribute_sources(found, docs)
    with pytest.raises(KeyError, match="'body'"):
        reuse.attribute_sources(found, docs, texts=pd.DataFrame({"doc_id": ["c1"], "wording": ["x"]}), column="body")
    with pytest.raises(KeyError, match="'text_clean' or 'text'"):
        reuse.attribute_sources(found, docs, texts=pd.DataFrame({"doc_id": ["c1"], "wording": ["x"]}))
    with pytest.raises(KeyError, match="'doc_id'"):
        reuse.attribute_sources(found, docs, texts=pd.DataFrame({"text": ["x"]}))
    with pytest.raises(ValueError, match="'a'.*also a document"):
        reuse.attribute_sources(found, docs, texts=pd.DataFrame({"doc_id": ["a"], "text": ["x"]}))
    with pytest.raises(ValueError, match="repeated"):
        reuse.attribute_sources(found, docs, texts=pd.DataFrame({"doc_id": ["c1", "c1"], "text": ["x", "y"]}))
    with pytest.raises(ValueError, match="'c1'.*no text"):
        reuse.attribute_sources(found, docs, texts=pd.DataFrame({"doc_id": ["c1"], "text": ["，。 "]}))
    with pytest.raises(ValueError, match="min_share"):
        reuse.attribute_sources(found, docs, sources=["national"], min_share=0)
    with pytest.raises(ValueError, match="ngram"):
        reuse.attribute_sources(found, docs, sources=["national"], ngram=0)
    with pytest.raises(KeyError, match="attribute_sources"):
        reuse.without_sources(found)
    with pytest.raises(KeyError, match="attribute_sources"):
        reuse.source_account(found)
    # both kinds of source at once: each is listed, and a passage quoting both names both
    both = reuse.attribute_sources(found, docs, sources=["national"], texts=pd.DataFrame(
        {"doc_id": ["copy"], "text": [docs.set_index("doc_id").loc["national", "text_clean"]]}))
    assert reuse.source_account(both)["doc_id"].tolist() == ["national", "copy"]
    assert set(both["common_source"].dropna()) == {"copy", "copy, national"}  # national's own passages: the copy


def test_the_report_section_states_the_pairs_before_and_after(planted):
    from policytext.report import sections
    from policytext.report.config import ReportConfig

    docs, _ = planted
    config = ReportConfig(progress=False)
    out = sections.reuse_section(types.SimpleNamespace(by="province", docs=docs), config)
    facts = out.facts["reuse_sources"]
    assert facts["documents"] == ["national"] and facts["source_groups"] == ["(none)"] and facts["attributed"] == 3
    assert (facts["before"]["group_pairs_with_reuse"], facts["after"]["group_pairs_with_reuse"]) == (6, 4)
    assert (facts["before"]["other_group_pairs_with_reuse"], facts["after"]["other_group_pairs_with_reuse"]) == (3, 1)
    assert (facts["before"]["doc_pairs_with_reuse"], facts["after"]["doc_pairs_with_reuse"]) == (6, 4)
    assert {"reuse_pairs", "reuse_pairs_without_sources", "reuse_groups_without_sources", "reuse_sources"} <= set(
        out.tables)
    assert "networks/reuse_network_without_sources.gexf" in out.files and "reuse_heatmap_without_sources" in out.figures
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("policytext.report", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    html = env.get_template("sections/reuse.html.j2").render(
        facts=out.facts, tables=out.tables, config=config, by="province", longest_passages=None,
        reuse_between_groups=None, table=lambda *a: "", img=lambda *a: "")
    assert "Of the 6 pairs of province groups (without (none), made only of sources), 3 share a passage, and 1 still" \
           in " ".join(html.split())
    # a corpus without the column: nothing attributed, and the section says why
    plain = sections.reuse_section(types.SimpleNamespace(by="province", docs=docs.drop(columns="level")), config)
    assert plain.facts["reuse_sources"]["documents"] == [] and "level" in plain.facts["reuse_sources"]["not_attributed"]
    assert "reuse_pairs_without_sources" not in plain.tables and "common_source" not in plain.tables["reuse_passages"]
    none = sections.reuse_section(types.SimpleNamespace(by="province", docs=docs),
                                  ReportConfig(progress=False, reuse_sources=None))
    assert "not set" in none.facts["reuse_sources"]["not_attributed"]


# ---------------------------------------------------------------------------------------------
# The genre formulas of work reports in the boilerplate list
# ---------------------------------------------------------------------------------------------

#: Formulas of work reports, in wordings and places of my own (not the city corpus's): each must be matched.
FORMULAS = [
    "在此，我代表县人民政府，向全县各族干部群众，向各位人大代表、政协委员，向驻县部队官兵，表示衷心的感谢！",
    "在这里，我谨代表区政府，向辛勤工作的全区人民和社会各界朋友致以崇高的敬意！",
    "在此，我代表省人民政府，向全省人民，向各民主党派、工商联和无党派人士表示诚挚的感谢！",
    "这些成绩的取得，根本在于习近平新时代中国特色社会主义思想的科学指引，是区委坚强领导的结果，是全区人民共同奋斗的结果。",
    "这是县委正确领导的结果，也是全县干部群众苦干实干的结果。",
    "在肯定成绩的同时，我们也清醒地看到，全县发展还面临一些困难。",
    "同时，我们清醒认识到，经济回升向好的基础还不牢固。",
    "对这些问题，我们将高度重视，采取有力措施，切实加以解决。",
    "我们一定正视差距，努力予以解决。",
    "一、2022年工作回顾",
    "二、2025年重点工作安排",
    "二、2024年工作建议",
    "四、2025年主要目标任务和重点工作",
    "三、切实加强政府自身建设",
    "今年全县经济社会发展的主要预期目标是：地区生产总值增长6.5%左右，一般公共预算收入增长5%。",
    "过去一年，我们重点抓了以下几个方面工作：",
    "重点做好以下八个方面的工作。",
    "依法接受县人大及其常委会的监督，自觉接受县政协的民主监督，主动接受社会和舆论监督",
    "让我们更加紧密地团结在以习近平同志为核心的党中央周围，在区委的坚强领导下，",
]
#: Substantive policy sentences with the formulas' words: none may be matched.
POLICY = [
    "在此基础上，向社会公开征集意见，进一步完善城市更新方案。",
    "认真办理人大代表建议和政协委员提案，办结率达到100%。",
    "加强对困难群众的走访慰问，发放慰问金1200万元。",
    "推动企业加大研发投入，高新技术企业达到860家，这是全市科技创新能力提升的结果。",
    "主要目标是到2025年建成5个省级产业园区。",
    "全面完成年度预期目标，地区生产总值增长5.2%。",
    "坚持问题导向，切实解决群众急难愁盼问题。",
    "我们要正视农村养老服务的短板，加快建设一批互助养老设施。",
    "面对这些挑战，我们将大力发展新能源汽车产业，加快解决充电桩不足的问题。",
    "清醒认识安全生产形势的严峻性，压实企业主体责任。",
    "开展以下工作：一是清理拖欠企业账款；二是规范涉企收费。",
    "二、深入实施创新驱动发展战略",
    "2024年全市固定资产投资增长8.1%，重点工作任务全面完成。",
    "加强对行政权力运行的监督，推进政务公开。",
    "学校要加强对学生的正确领导和教育引导，这是立德树人的要求。",
    "全市上下要紧密团结在一起，攻坚克难，确保完成全年目标任务。",
]


def _report_formula_rules() -> list[re.Pattern]:
    """The rules of the list's section on the genre formulas of government work reports."""
    path = pt.data_path("reuse", "boilerplate.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    start = next(k for k, line in enumerate(lines, 1) if line.startswith("# --- Government work reports: the genre"))
    chosen = [pattern for pattern, where in pt.read_boilerplate() if int(where.rsplit(":", 1)[1]) > start]
    assert len(chosen) >= 8
    return [re.compile(p, re.MULTILINE) for p in chosen]


def _matched(line: str, rules) -> bool:
    text = pt.normalize_unicode(line)  # as clean() leaves it: half-width punctuation
    return any(m.end() > m.start() for rule in rules for m in rule.finditer(text))


def test_the_formulas_of_work_reports_are_found_and_policy_is_not():
    rules = _report_formula_rules()
    hits = [_matched(line, rules) for line in FORMULAS]
    false = [line for line in POLICY if _matched(line, rules)]
    recall = sum(hits) / len(FORMULAS)
    precision = sum(hits) / (sum(hits) + len(false))
    assert precision == 1.0, false
    assert recall >= 0.95, [line for line, hit in zip(FORMULAS, hits) if not hit]


def test_a_policy_sentence_beside_a_formula_keeps_its_characters():
    rules = _report_formula_rules()
    policy = "全年新建改造农村公路四百公里，实现具备条件的自然村通硬化路。"
    text = pt.normalize_unicode("对此，我们将采取有力措施，认真加以解决。\n" + policy)
    mask = np.zeros(len(text), dtype=bool)
    for rule in rules:
        for m in rule.finditer(text):
            mask[m.start():m.end()] = True
    assert mask[:text.index("\n")].all() and not mask[text.index("\n"):].any()


@pytest.mark.corpus
@pytest.mark.skipif(not (CITY / "metadata.csv").is_file(), reason="the city corpus is not beside this checkout")
def test_city_reports_quote_the_national_report_and_the_formulas_hold_on_the_held_out_half():
    docs = pt.clean(pt.load_corpus(CITY), progress=False)
    # the rules were written on the odd-numbered files: on the even-numbered ones, each matches many reports
    number = docs["doc_id"].str.extract(r"(\d+)$")[0].astype(int)
    held_out = docs[number % 2 == 0]
    rules = _report_formula_rules()
    for rule in rules:
        matched = sum(bool(rule.search(t)) for t in held_out["text_clean"])
        assert matched >= 0.35 * len(held_out), rule.pattern
    # attribution on a sample: the national report and 19 cities
    national = docs[docs["level"] == "national"]
    sample = pd.concat([national, docs[docs["level"] != "national"].sample(19, random_state=0)])
    marked = pt.attribute_sources(pt.find_reuse(sample, by="province"), sample, sources="level == 'national'")
    nat = national["doc_id"].iloc[0]
    attributed = marked[marked["common_source"].notna()]
    assert len(attributed) > 10 and (attributed["source_share"] >= 0.5).all()
    assert set(attributed["common_source"]) == {nat}
    assert marked.loc[(marked["doc_a"] == nat) | (marked["doc_b"] == nat), "common_source"].isna().all()
    before = pt.reuse_pairs(marked, sample)
    after = pt.reuse_pairs(pt.without_sources(marked), sample)
    assert len(after) < len(before)


def test_the_command_line_leaves_common_sources_out_of_pairs_and_groups(planted, tmp_path, monkeypatch):
    from policytext import cli

    docs, _ = planted
    folder = tmp_path / "corpus"
    folder.mkdir()
    for doc_id, text in zip(docs["doc_id"], docs["text_clean"]):
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    docs.assign(file=docs["doc_id"] + ".txt")[["doc_id", "file", "province", "level"]].to_csv(
        folder / "metadata.csv", index=False)
    counts = {}
    for name, extra in (("all", []), ("between", ["--sources", "level == 'national'"])):
        out = tmp_path / f"{name}.csv"
        assert cli.main(["reuse", str(folder), "--table", "groups", "-o", str(out), "--no-progress", *extra]) in (None, 0)
        groups = pd.read_csv(out, keep_default_na=False)
        cities = groups[(groups["province_a"] != groups["province_b"]) & (groups["province_a"] != "(none)")
                        & (groups["province_b"] != "(none)")]
        counts[name] = int((cities["doc_pairs_with_reuse"] > 0).sum())
    assert counts == {"all": 3, "between": 1}  # 湖北-山东 share their own passage; the quotation is the source's
    # the report takes the query, and '' for none
    from policytext.report import build

    seen = []
    monkeypatch.setattr(build, "build_report", lambda data_dir, out, config: seen.append(config) or out)
    for extra, expected in (([], "level == 'national'"), (["--sources", "level == 'central'"], "level == 'central'"),
                            (["--sources", ""], None)):
        cli.main(["report", str(folder), "-o", str(tmp_path / "report"), *extra])
        assert seen[-1].reuse_sources == expected
