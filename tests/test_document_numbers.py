"""Document numbers (发文字号), Chinese dates and header metadata: hand-computed cases and labelled real strings.

The labelled sets (``tests/data/document_numbers/``) were collected from the seed corpus and the
corpora beside the checkout and labelled by hand; ``split`` says which rows were held out while the
parsing rules were written. The header set reads its texts where they are (``../shared``) and is
skipped when they are not there.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd
import pytest

from policytext.errors import CorpusError
from policytext.io.document_numbers import (
    DocumentNumber,
    header_metadata,
    header_metadata_table,
    parse_date,
    parse_dates,
    parse_document_number,
    parse_document_numbers,
    read_province_abbreviations,
)

LABELLED = Path(__file__).parent / "data" / "document_numbers"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(LABELLED / name, comment="#", dtype=str, keep_default_na=False)


# --------------------------------------------------------------------------------------------
# Document numbers: hand-computed cases
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("opening, closing", [("〔", "〕"), ("【", "】"), ("[", "]"), ("［", "］"), ("(", ")"),
                                              ("（", "）"), ("〈", "〉")])
def test_every_bracket_gives_the_same_number(opening, closing):
    parsed = parse_document_number(f"鄂政发{opening}2021{closing}12号")
    assert parsed == DocumentNumber("鄂政发〔2021〕12号", "鄂政发", 2021, 12, "湖北省")


@pytest.mark.parametrize("text", ["鄂政发〔２０２１〕１２号", "鄂政发〔2021〕12", "鄂政发 〔 2021 〕 12 号",
                                  "鄂政发〔2021〕第12号", "鄂政发〔2021〕012号", "文号：鄂政发〔2021〕12号"])
def test_variants_of_writing_a_number(text):
    assert parse_document_number(text) == DocumentNumber("鄂政发〔2021〕12号", "鄂政发", 2021, 12, "湖北省")


def test_a_code_cut_by_a_line_break_space_is_joined():
    assert parse_document_number("(武政 规【2020】11 号)").doc_number == "武政规〔2020〕11号"


def test_words_before_a_cited_code_are_not_part_of_it():
    assert parse_document_number("深入落实国发〔2022〕2号文件").issuer_code == "国发"
    assert parse_document_number("文件和黔府发〔2022〕7号文件").issuer_code == "黔府发"
    assert parse_document_number("按国办发(1985)49号文件规定").issuer_code == "国办发"
    assert parse_document_number("1985年11月30日市人民政府京政发〔1985〕167号文件发布").issuer_code == "京政发"
    assert parse_document_number("《指示》(〔1982〕3号)").doc_number == "〔1982〕3号"
    assert parse_document_number("《指示》(〔1982〕3号)").issuer_code is None


def test_the_first_of_several_numbers():
    assert parse_document_number("国发〔2022〕2号、国函〔2022〕65号").doc_number == "国发〔2022〕2号"


@pytest.mark.parametrize("text, province", [
    ("京政发〔2020〕1号", "北京市"), ("沪府发〔2020〕1号", "上海市"), ("津政发〔2020〕1号", "天津市"),
    ("渝府发〔2020〕1号", "重庆市"), ("粤府〔2020〕1号", "广东省"), ("川府发〔2020〕1号", "四川省"),
    ("黔府发〔2022〕7号", "贵州省"), ("滇政发〔2020〕1号", "云南省"), ("云政发〔2020〕1号", "云南省"),
    ("陇政发〔2020〕1号", "甘肃省"), ("桂政发〔2020〕1号", "广西壮族自治区"), ("藏政发〔2020〕1号", "西藏自治区"),
    ("新政发〔2020〕1号", "新疆维吾尔自治区"), ("琼府〔2020〕1号", "海南省"), ("吉政发〔2020〕1号", "吉林省"),
    ("吉市政发〔2020〕1号", "吉林省"),  # 吉林市 is in 吉林省
    ("内蒙古政发〔2021〕5号", "内蒙古自治区"), ("内政发〔2018〕37号", "内蒙古自治区"),
    ("山东省人民政府令第311号", "山东省"), ("宁夏回族自治区人民政府令第100号", "宁夏回族自治区"),
    ("北京市人民政府第12号令", "北京市"),
])
def test_provinces(text, province):
    assert parse_document_number(text).province == province


@pytest.mark.parametrize("text", [
    "国发〔2015〕40号", "国办发〔2020〕1号", "中发〔2021〕1号", "中办发〔2021〕2号", "财税〔2019〕13号",
    "工信部信管〔2020〕197号", "发改高技〔2020〕1号", "人社部发〔2019〕1号", "杭政〔2020〕1号", "穗府〔2020〕1号",
    "深府〔2020〕1号", "甬政发〔2020〕1号", "厦府〔2020〕1号", "武政规〔2020〕11号",
    "宁政发〔2021〕1号",  # 宁夏 and 南京 both
    "青政发〔2021〕1号",  # 青海 and 青岛 both
    "贵政发〔2021〕1号",  # 贵港; 贵州 writes 黔
    "新出政发〔2010〕1号", "内府发〔2020〕1号", "云府〔2020〕1号", "鄂府发〔2020〕1号",
    "宁波市人民政府令第250号", "市人民政府第59号令", "中华人民共和国国务院令第590号", "海关总署令第65号",
])
def test_codes_that_name_no_province(text):
    parsed = parse_document_number(text)
    assert parsed.doc_number is not None
    assert parsed.province is None


def test_decree_numbers():
    assert parse_document_number("国务院令第590号") == DocumentNumber("国务院令第590号", "国务院令", None, 590, None)
    assert parse_document_number("1997年12月31日市政府第十二号令修改的") == DocumentNumber(
        "市政府令第12号", "市政府令", None, 12, None)
    assert parse_document_number("2012年12月29日原国家质量监督检验检疫总局令第150号公布的").issuer_code == \
        "国家质量监督检验检疫总局令"
    assert parse_document_number("4月12日修订山东省人民政府第139号令发布").doc_number == "山东省人民政府令第139号"


def test_announcement_numbers():
    assert parse_document_number("国家税务总局公告2018年第31号") == DocumentNumber(
        "国家税务总局公告2018年第31号", "国家税务总局公告", 2018, 31, None)
    assert parse_document_number("2014年4月11日 杭州市人民代表大会常务委员会公告第23号公布") == DocumentNumber(
        "杭州市人民代表大会常务委员会公告第23号", "杭州市人民代表大会常务委员会公告", None, 23, None)
    assert parse_document_number("山东省人民代表大会常务委员会公告第5号").province == "山东省"


@pytest.mark.parametrize("text", ["关于做好工作的通知", "地址：青年路560号", "广安年鉴（2023）被评为", "第045号提案",
                                  "中央一号文件", "（2022）10个项目", ""])
def test_no_number_gives_all_none(text):
    assert parse_document_number(text) == DocumentNumber(None, None, None, None, None)


@pytest.mark.parametrize("value", [12, None, 3.5, b"\xe9\x84\x82"])
def test_a_non_string_is_a_type_error_naming_it(value):
    with pytest.raises(TypeError, match=re.escape(repr(value))):
        parse_document_number(value)


def test_the_table_of_a_column():
    column = pd.Series(["鄂政发〔2021〕12号", float("nan"), "无", "国务院令第590号"], index=[10, 11, 12, 13])
    table = parse_document_numbers(column)
    assert list(table.columns) == ["doc_number", "issuer_code", "year", "serial", "province"]
    assert list(table.index) == [10, 11, 12, 13]
    assert table.loc[10].tolist() == ["鄂政发〔2021〕12号", "鄂政发", 2021, 12, "湖北省"]
    assert table.loc[[11, 12]].isna().all().all()
    assert pd.isna(table.loc[13, "year"]) and table.loc[13, "serial"] == 590
    assert str(table["year"].dtype) == "Int64"
    with pytest.raises(TypeError, match="12.*position 1"):
        parse_document_numbers(["国发〔2015〕40号", 12])


def test_users_extend_the_abbreviations(tmp_path):
    mine = tmp_path / "mine.csv"
    mine.write_text("# a Ningxia corpus\nabbreviation,province,note\n宁,宁夏回族自治区,my corpus has no 南京\n",
                    encoding="utf-8")
    assert parse_document_number("宁政发〔2021〕1号").province is None
    assert parse_document_number("宁政发〔2021〕1号", abbreviations=mine).province == "宁夏回族自治区"
    assert parse_document_number("宁波市人民政府令第1号", abbreviations=mine).province is None  # a longer row wins
    assert parse_document_numbers(["宁政发〔2021〕1号"], abbreviations=mine)["province"].tolist() == ["宁夏回族自治区"]


def test_a_bad_abbreviation_file_names_the_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("abbreviation,province,note\n鄂,湖北省,\nE,湖北省,\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"bad\.csv, line 3"):
        parse_document_number("鄂政发〔2021〕1号", abbreviations=bad)
    with pytest.raises(CorpusError, match="not found"):
        parse_document_number("鄂政发〔2021〕1号", abbreviations=tmp_path / "missing.csv")


def test_the_shipped_table_explains_its_ambiguous_rows():
    table = read_province_abbreviations().set_index("abbreviation")
    assert table.index.is_unique
    for char in ("宁", "青", "贵"):
        assert table.loc[char, "province"] == "" and table.loc[char, "note"]
    assert table.loc["吉", "province"] == "吉林省" and "吉林市" in table.loc["吉", "note"]
    short = {"京", "津", "沪", "渝", "冀", "晋", "辽", "吉", "黑", "苏", "浙", "皖", "闽", "赣", "鲁", "豫", "鄂", "湘",
             "粤", "琼", "川", "蜀", "黔", "云", "滇", "陕", "甘", "陇", "桂", "藏", "新", "内蒙古"}
    assert short <= set(table.index[table["province"] != ""])
    assert table["province"].replace("", pd.NA).dropna().nunique() == 31


# --------------------------------------------------------------------------------------------
# Dates: hand-computed cases
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, iso", [
    ("2021年3月25日", "2021-03-25"), ("二〇二一年三月二十五日", "2021-03-25"), ("二○二一年三月", "2021-03"),
    ("二零二一年十二月三十一日", "2021-12-31"), ("二O二一年元月五日", "2021-01-05"), ("一九四九年十月一日", "1949-10-01"),
    ("2021.3.25", "2021-03-25"), ("2021-03-25", "2021-03-25"), ("2021/3/25", "2021-03-25"),
    ("2021年3月", "2021-03"), ("２０２１年３月２５日", "2021-03-25"), ("2021 年 3 月 25 日", "2021-03-25"),
    ("2021-03", "2021-03"), ("发布日期：2023年09月08日", "2023-09-08"), ("时间:2021-07-25 14:09", "2021-07-25"),
    ("2020年2月29日", "2020-02-29"),
])
def test_dates(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize("text", ["2021年2月30日", "2021年2月29日", "2021年13月1日", "二〇二一年二月三十日",
                                  "2021-04-31"])
def test_an_impossible_date_is_none_and_logged(text, caplog):
    with caplog.at_level(logging.WARNING, logger="policytext.io.document_numbers"):
        assert parse_date(text) is None
    assert any("not a date" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("text", ["到2025年", "(2021-2023年)", "3月25日", "", "第十五届", "2024/2025年榨季"])
def test_not_dates(text):
    assert parse_date(text) is None


def test_dates_of_a_column():
    dates = parse_dates(pd.Series(["2021年3月25日", None, "无", "二〇二一年三月"], index=list("abcd"), name="date"))
    assert dates.name == "date" and list(dates.index) == list("abcd")
    assert dates.tolist()[0] == "2021-03-25" and dates.tolist()[3] == "2021-03"
    assert dates.isna().tolist() == [False, True, True, False]
    with pytest.raises(TypeError, match="20210325"):
        parse_dates(["2021年3月25日", 20210325])
    with pytest.raises(TypeError, match="20210325"):
        parse_date(20210325)


# --------------------------------------------------------------------------------------------
# Header metadata: hand-computed cases
# --------------------------------------------------------------------------------------------

RED_HEADER = """湖北省人民政府文件
鄂政发〔2021〕12号

湖北省人民政府关于加快数字经济发展的意见

各市、州、县人民政府，省政府各部门：
为贯彻落实《国务院关于印发“十四五”数字经济发展规划的通知》（国发〔2021〕29号）精神，到2025年，……
一、总体要求
2022年3月1日前完成……

湖北省人民政府
2021年3月25日
（此件公开发布）
"""


def test_a_red_header_document():
    meta = header_metadata(RED_HEADER)
    assert (meta["doc_number"], meta["doc_number_source"]) == ("鄂政发〔2021〕12号", "line 2: document number line")
    assert (meta["issuer"], meta["issuer_source"]) == ("湖北省人民政府", "line 11: signature")
    assert (meta["date"], meta["date_source"]) == ("2021-03-25", "line 12: closing date")


def test_a_closing_date_in_chinese_numerals_and_two_signatures():
    text = "关于……的通知\n正文……\n湖北省人民政府\n湖北省军区\n二〇二一年三月二十五日\n"
    meta = header_metadata(text)
    assert meta["date"] == "2021-03-25"
    assert meta["issuer"] == "湖北省人民政府、湖北省军区"


def test_labelled_fields():
    text = ("索引号：011043/2021-00012  主题分类：工业\n发文机关：湖北省人民政府办公厅  发文字号：鄂政办发〔2021〕5号\n"
            "成文日期：2021年02月01日  发布日期：2021年02月03日\n标题：关于……的通知\n正文……\n")
    meta = header_metadata(text)
    assert (meta["doc_number"], meta["doc_number_source"]) == ("鄂政办发〔2021〕5号", "line 2: 发文字号 field")
    assert (meta["issuer"], meta["issuer_source"]) == ("湖北省人民政府办公厅", "line 2: 发文机关 field")
    assert (meta["date"], meta["date_source"]) == ("2021-02-01", "line 3: 成文日期 field")


def test_a_source_field_counts_only_when_it_names_an_organ():
    assert header_metadata("来源：中国政府网\n正文……")["issuer"] is None
    assert header_metadata("来源：新华社\n正文……")["issuer"] is None
    assert header_metadata("来源：湖北省经济和信息化厅\n正文……")["issuer"] == "湖北省经济和信息化厅"


def test_body_dates_and_cited_numbers_are_not_the_documents():
    text = ("各位代表：\n现在，我代表市人民政府向大会报告工作。\n深入落实国发〔2022〕2号文件。\n"
            "到2025年，全市生产总值……\n2023年3月1日，……\n而努力奋斗！\n")
    assert header_metadata(text) == {"doc_number": None, "issuer": None, "date": None,
                                     "doc_number_source": None, "issuer_source": None, "date_source": None}


def test_a_regulation():
    text = ("国有土地上房屋征收与补偿条例\n\n2011年1月19日 国务院第141次常务会议通过\n\n"
            "2011年1月21日 中华人民共和国国务院令第590号公布\n\n2011年1月21日 施行\n\n第一章 总则\n"
            "第一条 为了规范……，制定本条例。\n第三十五条 本条例自公布之日起施行。2001年6月13日国务院公布的……同时废止。\n")
    meta = header_metadata(text)
    assert meta["doc_number"] == "中华人民共和国国务院令第590号"
    assert meta["issuer"] == "中华人民共和国国务院"
    assert meta["date"] == "2011-01-21" and meta["date_source"].startswith("line 5")


def test_a_law_adopted_and_amended():
    text = ("某某条例\n2011年11月17日 上海市第十三届人民代表大会常务委员会第三十次会议通过\n"
            "2020年5月14日 上海市第十五届人民代表大会常务委员会第二十一次会议《关于修改本市部分地方性法规的决定》第一次修正\n"
            "第一章 总则\n第一条 ……\n")
    meta = header_metadata(text)
    assert meta["date"] == "2020-05-14"
    assert meta["issuer"] == "上海市人民代表大会常务委员会"
    assert meta["doc_number"] is None


def test_a_city_regulation_approved_by_the_province():
    text = ("某市条例\n2013年10月31日 某市十二届人民代表大会常务委员会第十五次会议通过\n"
            "2021年4月30日 某市第十五届人民代表大会常务委员会第四十六次会议通过并经2021年5月27日某省第十三届人民代表大会"
            "常务委员会第二十八次会议批准\n2021年7月1日 施行\n第一条 ……\n")
    meta = header_metadata(text)
    assert meta["issuer"] == "某市人民代表大会常务委员会"
    assert meta["date"] == "2021-05-27"


def test_a_date_under_the_title_and_a_delivery_line():
    assert header_metadata("关于军民合用机场使用管理的若干暂行规定\n1985年12月30日\n第一条 ……\n")["date"] == "1985-12-30"
    report = "政府工作报告\n——2024年1月16日在亳州市第五届人民代表大会第三次会议上\n各位代表：\n到2027年……\n"
    meta = header_metadata(report)
    assert (meta["date"], meta["date_source"]) == ("2024-01-16", "line 2: delivery line")
    assert header_metadata("政府工作报告\n各位代表：\n——2023年，我们……\n")["date"] is None


def test_header_metadata_of_a_column():
    table = header_metadata_table(pd.Series([RED_HEADER, None], index=["a", "b"]))
    assert list(table.index) == ["a", "b"]
    assert table.loc["a", "doc_number"] == "鄂政发〔2021〕12号"
    assert table.loc["b"].isna().all()
    with pytest.raises(TypeError):
        header_metadata(b"bytes")


# --------------------------------------------------------------------------------------------
# The labelled real strings
# --------------------------------------------------------------------------------------------

def _none(value: str):
    return value if value != "" else None


def number_scores(split: str | None = None) -> dict:
    """Exact rows, precision and recall of the document number on the labelled set (one split or all)."""
    rows = _read("document_numbers.csv")
    if split:
        rows = rows[rows["split"] == split]
    exact = predicted = correct = labelled = 0
    wrong = []
    for row in rows.itertuples():
        got = parse_document_number(row.text)
        want = DocumentNumber(_none(row.doc_number), _none(row.issuer_code),
                              int(row.year) if row.year else None, int(row.serial) if row.serial else None,
                              _none(row.province))
        exact += got == want
        if got != want:
            wrong.append((row.text, got, want))
        predicted += got.doc_number is not None
        labelled += want.doc_number is not None
        correct += got.doc_number is not None and got.doc_number == want.doc_number
    return {"rows": len(rows), "exact": exact / len(rows), "precision": correct / predicted if predicted else 1.0,
            "recall": correct / labelled if labelled else 1.0, "wrong": wrong}


def date_scores(split: str | None = None) -> dict:
    rows = _read("dates.csv")
    if split:
        rows = rows[rows["split"] == split]
    got = [parse_date(t) for t in rows["text"]]
    want = [_none(d) for d in rows["date"]]
    predicted = sum(g is not None for g in got)
    labelled = sum(w is not None for w in want)
    correct = sum(g is not None and g == w for g, w in zip(got, want))
    return {"rows": len(rows), "exact": sum(g == w for g, w in zip(got, want)) / len(rows),
            "precision": correct / predicted if predicted else 1.0, "recall": correct / labelled if labelled else 1.0,
            "wrong": [(t, g, w) for t, g, w in zip(rows["text"], got, want) if g != w]}


def header_scores(split: str | None = None) -> dict:
    rows = _read("headers.csv")
    if split:
        rows = rows[rows["split"] == split]
    scores, wrong = {}, []
    for field in ("doc_number", "issuer", "date"):
        scores[field] = {"predicted": 0, "labelled": 0, "correct": 0, "exact": 0}
    for row in rows.itertuples():
        meta = header_metadata((SHARED / row.file).read_text(encoding="utf-8"))
        for field in ("doc_number", "issuer", "date"):
            want, got = _none(getattr(row, field)), meta[field]
            s = scores[field]
            s["predicted"] += got is not None
            s["labelled"] += want is not None
            s["correct"] += got is not None and got == want
            s["exact"] += got == want
            if got != want:
                wrong.append((row.file, field, got, want, meta[f"{field}_source"]))
    out = {"rows": len(rows), "wrong": wrong}
    for field, s in scores.items():
        out[field] = {"exact": s["exact"] / len(rows),
                      "precision": s["correct"] / s["predicted"] if s["predicted"] else 1.0,
                      "recall": s["correct"] / s["labelled"] if s["labelled"] else 1.0}
    return out


def test_the_labelled_sets_are_big_enough_and_split():
    numbers, dates, headers = _read("document_numbers.csv"), _read("dates.csv"), _read("headers.csv")
    assert (numbers["doc_number"] != "").sum() >= 40 and (dates["date"] != "").sum() >= 40 and len(headers) >= 20
    for table in (numbers, dates, headers):
        assert set(table["split"]) == {"dev", "heldout", "fresh"}
        assert (table["split"] != "dev").mean() >= 0.5  # most rows were not looked at while writing the rules
    assert numbers["text"].str.len().max() < 120  # excerpts, not texts


def test_labelled_document_numbers():
    scores = number_scores()
    assert scores["exact"] >= 0.95, scores["wrong"]


def test_labelled_dates():
    scores = date_scores()
    assert scores["exact"] >= 0.95, scores["wrong"]


@pytest.mark.skipif(not (SHARED / "seeds").is_dir() or not (SHARED / "corpora").is_dir(),
                    reason="the seed corpus and the corpora are read beside the checkout")
def test_labelled_headers():
    scores = header_scores()
    for field in ("doc_number", "issuer", "date"):
        assert scores[field]["exact"] >= 0.9, (field, scores["wrong"])


def test_the_examples_in_the_docstrings_run():
    import doctest

    import policytext.io.document_numbers as module

    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
