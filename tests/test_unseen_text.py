"""Text that holds on corpora no one tuned to: chrome of unseen portals by its shape, invisible characters,
toneless pinyin, whole alphanumeric runs, user lexicons that count what they list, lexicon validation,
place-bound names."""

from __future__ import annotations

import logging

import pandas as pd
import pytest
from scipy import stats

import policytext as pt
from chrome_eval import score

BODY = ["各区县人民政府,市直各单位:", "为加快推进数字经济高质量发展,现将有关事项通知如下。",
        "一、总体要求", "到2025年,全市数字经济核心产业增加值占地区生产总值比重达到10%,建成一批数字化转型标杆企业。",
        "二、重点任务", "(一)夯实数字基础设施。加快5G基站建设,推进千兆光网覆盖,完善算力基础设施布局。",
        "(二)推动产业数字化转型。支持企业上云用数赋智,培育工业互联网平台和解决方案服务商。",
        "三、保障措施", "各地各部门要加强组织领导,强化资金保障,确保各项任务落到实处。",
        "某某市人民政府办公室", "2024年3月1日"]


def clean_text(text: str) -> str:
    return pt.clean(pd.DataFrame({"doc_id": ["a"], "text": [text]}), progress=False)["text_clean"].iloc[0]


# --- 1. chrome by its shape ---------------------------------------------------------------------------------

@pytest.mark.parametrize("folder, floor", [("dev", 0.95), ("dev2", 0.95), ("heldout", 0.85)])
def test_the_evaluation_set_loses_no_body_line_and_finds_most_chrome(folder, floor):
    # dev and dev2 were looked at while the rules were written; the held-out pages were not (see the set's README).
    # The floors are below the shares measured when the rules were written (99.5%, 98.1%, 88.0%).
    found = score(folder)
    print(f"\nchrome evaluation set, {folder}: {found}")
    assert found.lost == []
    assert found.chrome_share >= floor


def test_the_evaluation_set_covers_at_least_five_portals_in_each_folder():
    from chrome_eval import read_pages

    for folder in ("dev", "dev2", "heldout"):
        constructed = {p.name for p in read_pages(folder) if p.name.startswith("constructed__")
                       and "oneline" not in p.name}
        assert len(constructed) >= 5, folder


def test_a_font_size_block_of_unknown_words_one_button_per_line_goes():
    page = ["[ 字号", "加大", "复原", "减小", "]", "某某市数字经济促进办法的通知"] + BODY
    assert clean_text("\n".join(page)).split("\n")[0] == "某某市数字经济促进办法的通知"


def test_a_menu_of_an_unseen_portal_and_its_site_name_go_and_the_title_stays():
    page = ["某某县人民政府门户网站", "首页", "走进某县", "政务公开", "办事服务", "互动交流", "首页 » 政务公开 » 通知公告",
            "关于印发某县数字经济发展三年行动计划的通知"] + BODY
    assert clean_text("\n".join(page)).split("\n")[0] == "关于印发某县数字经济发展三年行动计划的通知"


def test_below_the_text_chrome_goes_and_signature_and_date_stay():
    page = BODY + ["(此件公开发布)", "【打印本页】 【关闭窗口】", "相关链接", "关于加快发展数字经济的实施意见", "某某市政府网站",
                   "主办:某某市人民政府办公室 承办:某某市大数据中心", "网站标识码:3300000001 浙ICP备12345678号"]
    cleaned = clean_text("\n".join(page)).split("\n")
    assert cleaned[-3:] == ["某某市人民政府办公室", "2024年3月1日", "(此件公开发布)"]


@pytest.mark.parametrize("credit, kept", [
    ("图为工人在智能车间调试设备。本报记者 张三 摄", "图为工人在智能车间调试设备。"),
    ("(新华社记者 李四 摄)", ""),
    ("图片来源:某某日报", ""),
    ("要发挥记者、通讯员在政策宣传中的作用。", "要发挥记者、通讯员在政策宣传中的作用。"),
])
def test_photo_credits_go_and_sentences_about_reporters_stay(credit, kept):
    cleaned = clean_text("\n".join(BODY[:4] + [credit] + BODY[4:]))
    assert (kept in cleaned.split("\n")) if kept else (credit not in cleaned and "摄" not in cleaned)


def test_documents_made_of_short_lines_lose_nothing():
    law = ["某某省数字经济促进条例", "(2023年11月30日某某省第十四届人民代表大会常务委员会第六次会议通过)", "目录",
           "第一章 总则", "第二章 数字基础设施", "第三章 数据资源", "第四章 附则", "第一章 总则",
           "第一条 为了促进数字经济发展,根据有关法律、行政法规,结合本省实际,制定本条例。",
           "第二条 本条例适用于本省行政区域内的数字经济促进工作。", "第一节 一般规定", "第三条 县级以上人民政府应当加强领导。",
           "第一节 一般规定", "第四条 有关部门按照职责做好工作。", "第一节 一般规定", "第五条 本条例自2024年3月1日起施行。"]
    table = BODY[:-2] + ["序号", "单位", "联系人", "电话", "1", "市数据局", "王伟", "0571-87001234", "2", "市经信局", "陈静",
                         "0571-88002345", "某某市人民政府办公室", "2024年3月1日"]
    for page in (law, table):
        text = pt.normalize_unicode("\n".join(page))
        assert pt.strip_chrome(text) == text, page[0]


# --- 2. invisible characters --------------------------------------------------------------------------------

def test_zero_width_spaces_no_longer_split_a_term_and_are_counted():
    line = "推进工\u200b业互联网建设,工业\u200b互联\u2060网平台\ufeff加快发展。"
    text = "\n".join([line] * 10)
    docs = pt.clean(pd.DataFrame({"doc_id": ["a"], "text": [text]}), progress=False)
    account = pt.clean_account(docs).set_index("step")
    assert account.loc["strip_invisible", "chars_removed"] == 40
    tokens = pt.tokenize(docs, cache=False)
    plain = pt.tokenize(pd.DataFrame({"doc_id": ["a"], "text_clean": ["\n".join(["推进工业互联网建设,工业互联网平台加快发展。"] * 10)]}),
                        cache=False)
    assert tokens["token"].astype(str).tolist() == plain["token"].astype(str).tolist()
    assert (tokens["token"] == "工业互联网").sum() == 10 and (tokens["token"] == "工业互联网平台").sum() == 10


def test_a_metadata_value_with_invisible_characters_is_one_group_with_a_note(tmp_path, caplog):
    texts = ["湖北的数字经济发展很快,工业互联网平台建设加快推进。"] * 3
    for i, t in enumerate(texts):
        (tmp_path / f"d{i}.txt").write_text(t, encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("file,province,year\nd0.txt,湖北省,2021\nd1.txt,湖北\u200b省,２０２２\n"
                                           "d2.txt,湖北\u00a0省,2023\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="policytext.io.loading"):
        docs = pt.load_corpus(tmp_path)
    assert docs["province"].unique().tolist() == ["湖北省"] and docs["year"].tolist() == [2021, 2022, 2023]
    changes = pt.metadata_changes(docs)
    assert sorted(changes[["row", "column", "after"]].values.tolist()) == [
        [3, "province", "湖北省"], [3, "year", "2022"], [4, "province", "湖北省"]]
    assert "3 metadata value(s) normalised" in caplog.text
    tokens = pt.tokenize(pt.clean(docs, progress=False), cache=False)
    assert len(pt.group_sizes(tokens, by="province")) == 1


# --- 3. pinyin annotations without tone marks ---------------------------------------------------------------

def test_toneless_pinyin_goes_from_an_annotated_text_and_abbreviations_stay():
    assert pt.strip_pinyin("我(wǒ)们(men)的(de)") == "我们的"
    annotated = "發(fā)展(zhǎn)的(de)工(gōng)業(yè)互(hù)聯(lián)網(wǎng)們(men)"
    assert pt.strip_pinyin(annotated) == "發展的工業互聯網們"
    plain = "工业互联网(IIoT)和应用(APP)的(de)发展(AI)"
    assert pt.strip_pinyin(plain) == plain
    assert pt.strip_pinyin("推进(AI)赋能" + annotated) == "推进(AI)赋能發展的工業互聯網們"  # capitals are no pinyin


# --- 4. lexicon terms are not cut out of longer alphanumeric runs ------------------------------------------

@pytest.mark.parametrize("text, tokens", [
    ("储能产能达55GWh", ["储能", "产能", "55GWh"]),
    ("建设5G基站", ["建设", "5G基站"]),
    ("打造5G全连接工厂", ["打造", "5G全连接工厂"]),
    ("执行GB/T 22239标准", ["执行", "GB/T", "标准"]),
    ("建设4G/5G网络", ["建设", "4G", "5G", "网络"]),
    ("部署5G-A网络", ["部署", "5G-A", "网络"]),
])
def test_a_lexicon_term_of_letters_and_digits_matches_only_a_whole_run(text, tokens):
    assert pt.PolicyTokenizer().tokenize_text(text) == tokens
    assert pt.PolicyTokenizer(engine="jieba").tokenize_text(text) == tokens


# --- 5. a user's lexicon counts what it lists ---------------------------------------------------------------

USER_LEXICON = ("dimension\tlabel\tterm\nnew\t新动能\t低空经济\nnew\t新动能\t具身智能\nnew\t新动能\t提振消费\n"
                "new\t新动能\t人工智能+\nnew\t新动能\t数据要素×\nsafety\t安全\t统筹发展和安全\n")
USER_TEXT = ("大力发展低空经济,布局具身智能等未来产业。实施提振消费专项行动,开展人工智能+行动和数据要素×行动。"
             "统筹发展和安全,发展低空经济。")


def test_a_user_lexicon_counts_terms_the_segmenter_splits(tmp_path, caplog):
    path = tmp_path / "my.tsv"
    path.write_text(USER_LEXICON, encoding="utf-8")
    docs = pd.DataFrame({"doc_id": ["a", "b"], "province": ["甲", "乙"], "text_clean": [USER_TEXT, USER_TEXT * 2]})
    tokens = pt.tokenize(docs, cache=False)
    assert "低空经济" not in set(tokens["token"])  # the segmenter splits it
    with caplog.at_level(logging.WARNING, logger="policytext.compare.lexicons"):
        terms = pt.emphasis_terms(tokens, by="province", lexicon=path)
    counts = terms.groupby("term")["hits"].sum()
    for term in ("低空经济", "具身智能", "提振消费"):  # counted wherever the text holds them
        assert counts[term] == (USER_TEXT * 3).count(term), term
    unmatchable = terms.attrs["unmatchable_terms"]
    assert set(unmatchable) == {"人工智能+", "数据要素×", "统筹发展和安全"} and "人工智能+" in caplog.text
    # the same file given to the tokenizer makes every term a token: 统筹发展和安全 counts too
    whole = pt.tokenize(docs, cache=False, user_dicts=[path])
    emph = pt.emphasis(whole, by="province", lexicon=path, n_boot=0)
    assert emph.set_index(["province", "dimension"]).loc[("乙", "safety"), "hits"] == 2
    assert pt.emphasis_terms(whole, by=None, lexicon=path).set_index("term").loc["低空经济", "hits"].sum() == 6


def test_sequence_matches_equal_a_substring_count_on_the_bundled_corpus(tokens, clean_docs):
    # an independent count: how often each split term occurs in the cleaned texts
    split_terms = [t for t in ["数据安全", "上云用数", "产业链供应链", "制造业数字化转型", "中小企业", "人才培养"]
                   if t not in set(tokens["token"].cat.categories)]
    lex = pd.DataFrame({"dimension": "d", "label": "d", "term": split_terms})
    matched = pt.lexicon_matches(tokens, lex)["term"].value_counts()
    text = "\n".join(clean_docs["text_clean"])
    found = {t: int(matched.get(t, 0)) for t in split_terms}
    truth = {t: text.count(t) for t in split_terms}
    assert sum(found.values()) >= 0.9 * sum(truth.values()) and all(found[t] <= truth[t] for t in split_terms)


# --- 6. validating a lexicon --------------------------------------------------------------------------------

def test_the_validation_workflow_round_trips_and_reports_exact_intervals(tmp_path, tokens, clean_docs):
    import openpyxl

    sample = pt.validation_sample(tokens, clean_docs, lexicon="digital_policy", n=6, random_state=3)
    assert (sample.groupby("dimension").size() <= 6).all() and sample["judgement"].eq("").all()
    again = pt.validation_sample(tokens, clean_docs, lexicon="digital_policy", n=6, random_state=3)
    pd.testing.assert_frame_equal(sample, again)  # seeded
    xlsx, csv = pt.write_validation_sheet(sample, tmp_path / "check")
    # a reader judges: every other hit correct, the last one left empty
    book = openpyxl.load_workbook(xlsx)
    sheet = book["hits"]
    column = [c.value for c in sheet[1]].index("judgement") + 1
    truth = [1 if i % 2 == 0 else 0 for i in range(len(sample))]
    for i, value in enumerate(truth[:-1]):
        sheet.cell(row=i + 2, column=column, value=value)
    book.save(xlsx)
    judged = pt.read_validation_sheet(xlsx)
    assert judged["sample_id"].tolist() == sample["sample_id"].tolist()
    assert judged["keyword"].tolist() == sample["keyword"].tolist()
    precision = pt.lexicon_precision(judged)
    overall = precision[precision["level"] == "all"].iloc[0]
    k, n = sum(truth[:-1]), len(truth) - 1
    assert (overall["n_correct"], overall["n_judged"], overall["n_unjudged"]) == (k, n, 1)
    assert overall["low"] == pytest.approx(stats.beta.ppf(0.025, k, n - k + 1))  # Clopper-Pearson, by hand
    assert overall["high"] == pytest.approx(stats.beta.ppf(0.975, k + 1, n - k))
    dims = precision[precision["level"] == "dimension"]
    assert dims["n_judged"].sum() == n
    # the CSV beside it reads back the same, empty judgements as missing
    assert pt.read_validation_sheet(csv)["judgement"].isna().all()


def test_a_bad_judgement_is_an_error_naming_the_cell(tmp_path, tokens, clean_docs):
    import openpyxl

    sample = pt.validation_sample(tokens, clean_docs, n=2)
    xlsx, _ = pt.write_validation_sheet(sample, tmp_path / "check.xlsx")
    book = openpyxl.load_workbook(xlsx)
    column = [c.value for c in book["hits"][1]].index("judgement") + 1
    book["hits"].cell(row=3, column=column, value="maybe")
    book.save(xlsx)
    letter = openpyxl.utils.get_column_letter(column)
    with pytest.raises(pt.CorpusError, match=rf"cell hits!{letter}3: judgement 'maybe'"):
        pt.read_validation_sheet(xlsx)


def test_a_hit_that_looks_like_a_formula_is_text_in_both_sheets(tmp_path):
    sample = pd.DataFrame({"sample_id": [1], "dimension": ["d"], "label": ["d"], "term": ["=1+1"], "doc_id": ["a"],
                           "para_id": [0], "left": ["@x"], "keyword": ["=1+1"], "right": [""], "judgement": [""],
                           "comment": [""]})
    xlsx, csv = pt.write_validation_sheet(sample, tmp_path / "f")
    assert "'=1+1" in csv.read_text(encoding="utf-8")
    for path in (xlsx, csv):
        assert pt.read_validation_sheet(path)["keyword"].tolist() == ["=1+1"]


# --- 7. place-bound names and fragments --------------------------------------------------------------------

def test_words_bound_to_a_place_are_dropped_or_reduced_and_counted():
    toks = pd.DataFrame({"doc_id": ["a"] * 8, "para_id": [0] * 8, "position": range(8),
                         "token": ["中共上海市委", "四川省人民政府", "青岛港", "武汉市经济和信息化局", "长治久安", "杭州湾",
                                   "工业互联网", "四川省人民政府"]})
    out = pt.drop_place_names(toks)
    assert out["token"].tolist() == ["人民政府", "长治久安", "杭州湾", "工业互联网", "人民政府"]
    account = pt.place_account(out).set_index("word")
    assert account.loc["四川省人民政府", ["action", "n"]].tolist() == ["reduced", 2]
    assert account.loc["中共上海市委", "action"] == "dropped" and len(account) == 4


def test_tokenize_with_drop_places_is_drop_place_names_of_tokenize(clean_docs):
    docs = clean_docs.assign(text_clean=clean_docs["text_clean"] + "\n四川省人民政府和中共上海市委支持青岛港发展。")
    dropped = pt.tokenize(docs, cache=False, drop_places=True)
    later = pt.drop_place_names(pt.tokenize(docs, cache=False))
    pd.testing.assert_frame_equal(dropped.astype({"token": str}), later.astype({"token": str}), check_dtype=False)
    assert "人民政府" in set(dropped["token"]) and "青岛港" not in set(dropped["token"])
    account = pt.tokenize_account(dropped)
    assert (account["n_tokens"] == dropped["doc_id"].value_counts().reindex(account["doc_id"]).to_numpy()).all()


def test_enumeration_and_slogan_fragments_are_no_tokens():
    tokens = pt.PolicyTokenizer().tokenize_text("一要坚持稳中求进,二要以进促稳,三要先立后破。以学铸魂、以学增智、以学正风、以学促干。")
    assert not {"一要", "二要", "三要", "以学", "以进", "促稳", "先立"} & set(tokens)
    assert {"稳中求进", "以进促稳", "先立后破", "以学铸魂"} <= set(tokens)
