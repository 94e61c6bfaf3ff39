"""Cleaning: each step on real passages from the seeds, the account, and the cleaned seeds as a whole."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import policytext as pt
from policytext.text import chrome, cleaning

# --- each step, on passages as they stand in data/raw ----------------------------------


def test_strip_pinyin_on_seed_000():
    before = "《中國電子報》刊發(fā)了廳黨組書記、廳長劉海軍署名文章--《持續(xù)推進兩化深度融合"
    assert pt.strip_pinyin(before) == "《中國電子報》刊發了廳黨組書記、廳長劉海軍署名文章--《持續推進兩化深度融合"


def test_strip_pinyin_keeps_parentheses_that_are_not_pinyin():
    text = "(一)指导思想。工业互联网(IPv6 智能网联)平台(2021-2023年)"
    assert pt.strip_pinyin(text) == text


@pytest.mark.parametrize("before, after", [
    # 。現 destroyed: '?' and the debris ',F' go; the orphaned (xiàn) is left for strip_pinyin
    ("一系列成績和進步?,F(xiàn)全文轉(zhuǎn)發(fā)", "一系列成績和進步(xiàn)全文轉(zhuǎn)發(fā)"),
    # 。“雙 destroyed into ?!半p
    ("年內(nèi)投入運營?!半p中心”均已接入", "年內(nèi)投入運營中心”均已接入"),
    # a pinyin tail whose '(' was destroyed, and a second '?'
    ("融合應(yīng)用走深向?qū)?,新產(chǎn)品", "融合應(yīng)用走深向新產(chǎn)品"),
    # a private-use character and a Han character glued to a Latin letter
    ("勇?lián)\ue31c七M新型工業", "勇新型工業"),
    # '?' standing for a destroyed character before an opening quote
    ("投入運營?“雙中心”", "投入運營“雙中心”"),
])
def test_strip_encoding_damage_on_seed_000(before, after):
    assert pt.strip_encoding_damage(before) == after


def test_strip_encoding_damage_keeps_genuine_question_marks():
    for text in ("是否可行？我们认为可行。", "Is it 5G? Yes.", "是否可行?我们"):
        assert pt.strip_encoding_damage(text) == text


def test_damage_then_pinyin_leaves_no_trace():
    text = "一系列成績和進步?,F(xiàn)全文轉(zhuǎn)發(fā),以供學(xué)習(xí)參考。"
    assert pt.strip_pinyin(pt.strip_encoding_damage(text)) == "一系列成績和進步全文轉發,以供學習參考。"


def test_normalize_unicode_on_seed_000_and_full_width_forms():
    assert pt.normalize_unicode("\xa0關于國脈\xa0") == " 關于國脈 "  # the no-break spaces of seed 000
    assert pt.normalize_unicode("ＡＰＰ，５Ｇ（ＩＰｖ６）") == "APP,5G(IPv6)"


def test_to_simplified_on_seed_000():
    before = "持續推進兩化深度融合 奮力打造全國數字經濟發展高地"
    assert pt.to_simplified(before) == "持续推进两化深度融合 奋力打造全国数字经济发展高地"
    simplified = "工业互联网是新一代信息技术与制造业深度融合的产物,显著提升干部着力"
    assert pt.to_simplified(simplified) == simplified


def test_strip_chrome_on_the_page_head_and_foot_of_seed_003():
    before = ("关于加快山东制造业数字化转型的建议\n【 字体:\n打印\n时间:2021-07-25 14:09\n\n刘洪彬委员:\n\n"
              "您提出的建议收悉。\n\n责任编辑: 甄鹏华\n分享\n上一篇:\nProduced By 大汉网络 大汉版通发布系统")
    assert pt.strip_chrome(before) == "关于加快山东制造业数字化转型的建议\n\n刘洪彬委员:\n\n您提出的建议收悉。\n"


def test_strip_chrome_on_the_footer_of_seed_002():
    before = ("推动《行动计划》全面、深入实施。\n文章内容来自网络,如有侵权,联系删除、联系电话:023-85238885\n"
              "参与评论\n请回复有价值的信息,无意义的评论将很快被删除,账号将被禁止发言。\n评论区")
    assert pt.strip_chrome(before) == "推动《行动计划》全面、深入实施。"


def test_strip_chrome_on_the_advert_footer_of_seed_000():
    before = ("为制造强国、网络强国、数字中国建设贡献湖北力量。\n\n更多精彩,请关注“官方微信”\n\n11.jpg\n\n 关于国脉 \n\n"
              "国脉,是大数据治理、数字政府、营商环境...领域的专业提供商。\n\n责任编辑:wuwenfei")
    assert pt.strip_chrome(before) == "为制造强国、网络强国、数字中国建设贡献湖北力量。\n\n\n"


def test_strip_chrome_on_the_metadata_header_of_seed_001():
    before = ("关于对市政协六届二次会议第045号提案办理情况的答复\n索引号 : 764137816/2023-26481 文 号 : 无\n"
              "主题分类: 政务公开 发文单位: 咸宁市经济和信息化局\n"
              "名 称: 关于对市政协六届二次会议第045号提案办理情况的答复 发布日期: 2023年09月08日\n"
              "有效性: 有效 发文日期:\n游世光委员:")
    assert pt.strip_chrome(before) == "关于对市政协六届二次会议第045号提案办理情况的答复\n游世光委员:"


def test_user_chrome_rules_extend_the_shipped_ones(tmp_path):
    rules = tmp_path / "my_rules.tsv"
    rules.write_text("# mine\nline\t^本网讯.{0,20}$\tnews-agency credit on a line of its own\n", encoding="utf-8")
    docs = pd.DataFrame({"doc_id": ["a"], "text": ["本网讯 记者报道\n正文。\n责任编辑:某"]})
    assert pt.clean(docs, chrome_rules=[rules])["text_clean"].iloc[0] == "正文。"
    assert pt.clean(docs)["text_clean"].iloc[0] == "本网讯记者报道\n正文。"


def test_a_bad_rule_file_is_an_error_naming_file_and_line(tmp_path):
    rules = tmp_path / "bad.tsv"
    rules.write_text("line\t^ok\nline\t([unclosed\n", encoding="utf-8")
    docs = pd.DataFrame({"doc_id": ["a"], "text": ["x"]})
    with pytest.raises(pt.CorpusError, match=r"bad\.tsv, line 2: bad regular expression"):
        pt.clean(docs, chrome_rules=[rules])


def test_join_pdf_breaks_on_seed_004():
    before = "全面贯彻落实习近平总书记关于推动工业互联网发 展的系列重要指示,根据工业和信息化部《关于印发<工业 互联网创新发展"
    after = "全面贯彻落实习近平总书记关于推动工业互联网发展的系列重要指示,根据工业和信息化部《关于印发<工业互联网创新发展"
    assert pt.join_pdf_breaks(before) == after
    assert pt.join_pdf_breaks("(工信部信管【2020】 197 号)和 2021-2023 年") == "(工信部信管【2020】197号)和2021-2023年"


def test_join_pdf_breaks_keeps_latin_spaces_and_paragraph_breaks():
    text = "Produced By Big Han\n\n一、有关情况\n近几年来,省工业和信息化厅深入贯彻落实。"
    assert pt.join_pdf_breaks(text) == text


def test_join_pdf_breaks_rejoins_lines_wrapped_at_a_fixed_width():
    # seed 004's text as a PDF extractor that keeps line ends would give it: a heading, then
    # a paragraph wrapped every 24 characters
    para = ("为全面贯彻落实习近平总书记关于推动工业互联网发展的系列重要指示,根据工业和信息化部文件和"
            "《武汉市突破性发展数字经济实施方案》等文件,制定本行动计划。")
    wrapped = "\n".join(para[i:i + 24] for i in range(0, len(para), 24))
    assert "行动计\n划" in wrapped  # the wrap does break a word
    text = "一、总体要求\n" + wrapped + "\n二、主要任务\n" + wrapped
    assert pt.join_pdf_breaks(text) == f"一、总体要求\n{para}\n二、主要任务\n{para}"


def test_line_ends_of_every_kind_are_normalised_and_accounted_for():
    docs = pd.DataFrame({"doc_id": ["a"], "text": ["第一段。\r第二段。\r\n第三段。"]})
    out = pt.clean(docs)
    assert out["text_clean"].iloc[0] == "第一段。\n第二段。\n第三段。"
    acc = pt.clean_account(out).set_index("step")
    # the lone \r becomes \n (converted), the \r of \r\n goes (removed)
    assert acc.loc["normalize_unicode", ["chars_removed", "chars_added", "chars_converted"]].tolist() == [1, 0, 1]
    assert pt.join_pdf_breaks("甲乙\r\n丙丁") == "甲乙\n丙丁"


def test_compose_runs_steps_left_to_right():
    f = pt.compose(pt.strip_encoding_damage, pt.strip_pinyin, pt.to_simplified)
    assert f("進步?,F(xiàn)全文轉(zhuǎn)發(fā)") == "进步全文转发"
    assert f.__name__ == "strip_encoding_damage+strip_pinyin+to_simplified"


# --- clean() and its account -------------------------------------------------------------


def test_account_counts_are_hand_computed():
    docs = pd.DataFrame({"doc_id": ["a"], "text": ["數(shù)字經(jīng)濟(jì)"]})
    out = pt.clean(docs)
    assert out["text_clean"].iloc[0] == "数字经济"
    acc = pt.clean_account(out).set_index("step")
    # (shù) (jīng) (jì): 5 + 6 + 4 characters
    assert acc.loc["strip_pinyin", ["chars_removed", "chars_added", "chars_converted"]].tolist() == [15, 0, 0]
    # 數->数, 經->经, 濟->济; 字 is the same in both scripts
    assert acc.loc["to_simplified", ["chars_removed", "chars_converted"]].tolist() == [0, 3]
    assert acc.loc["strip_encoding_damage", "chars_removed"] == 0
    assert (acc["chars_before"] - acc["chars_after"] == acc["chars_removed"] - acc["chars_added"]).all()


def test_account_counts_damage_removed():
    docs = pd.DataFrame({"doc_id": ["a"], "text": ["進步?,F(xiàn)全文"]})
    acc = pt.clean_account(pt.clean(docs)).set_index("step")
    assert acc.loc["strip_encoding_damage", "chars_removed"] == 3  # ? , F
    assert acc.loc["strip_pinyin", "chars_removed"] == 6  # (xiàn)


def test_edit_counts_for_a_mixed_change():
    # one line converted in place, one removed, one added
    assert cleaning._edit_counts("甲乙\n丙丁\n戊", "甲乙\n丙X\n戊己己") == (0, 2, 1)
    assert cleaning._edit_counts("abc\ndef\n", "abc\n") == (4, 0, 0)


def test_clean_keeps_text_and_does_not_change_its_input(raw_docs):
    snapshot = raw_docs.copy(deep=True)
    out = pt.clean(raw_docs)
    pd.testing.assert_frame_equal(raw_docs, snapshot)
    assert out["text"].tolist() == raw_docs["text"].tolist()
    assert "text_clean" not in raw_docs.columns


def test_a_step_can_be_switched_off(raw_docs):
    out = pt.clean(raw_docs.iloc[:1], skip=["to_simplified"])
    assert "數字經濟" in out["text_clean"].iloc[0]
    assert "strip_pinyin" in set(pt.clean_account(out)["step"])
    assert "to_simplified" not in set(pt.clean_account(out)["step"])
    with pytest.raises(ValueError, match="unknown step"):
        pt.clean(raw_docs, skip=["to_traditional"])


def test_steps_that_claim_to_only_delete_do_only_delete(raw_docs):
    claimed = [step for step in pt.DEFAULT_STEPS if getattr(step, "deletes_only", False)]
    assert [s.__name__ for s in claimed] == ["strip_invisible", "strip_encoding_damage", "strip_pinyin",
                                             "strip_chrome", "join_pdf_breaks"]
    invisible = ["工\u200b业互联网\u2060平台\ufeff", "\u202e数据\u2066要素\u2069"]
    for text in raw_docs["text"].tolist() + invisible:
        for step in pt.DEFAULT_STEPS:
            after = step(text)
            if step in claimed:
                assert cleaning._is_subsequence(after, text), step.__name__
                assert cleaning._edit_counts(text, after) == (len(text) - len(after), 0, 0), step.__name__
            text = after


def test_the_account_has_a_row_per_document_and_step(clean_docs):
    acc = pt.clean_account(clean_docs)
    assert len(acc) == len(clean_docs) * len(pt.DEFAULT_STEPS)
    last = acc.groupby("doc_id", sort=False).tail(1).set_index("doc_id")["chars_after"]
    assert (last == clean_docs.set_index("doc_id")["text_clean"].str.len()).all()


# --- the cleaned seeds -------------------------------------------------------------------

CHROME = ["责任编辑", "如有侵权", "参与评论", "评论区", "索引号", "主题分类", "有效性", "字体", "打印", "分享",
          "上一篇", "Produced By", "关注“官方微信”", ".jpg", "关于国脉", "国脉,是", "时间:2021"]


def test_cleaned_seeds_hold_no_traditional_character(clean_docs):
    for doc_id, text in zip(clean_docs["doc_id"], clean_docs["text_clean"]):
        assert pt.to_simplified(text) == text, doc_id
    # and the Traditional documents did contain some
    assert pt.to_simplified(clean_docs["text"].iloc[0]) != clean_docs["text"].iloc[0]


def test_cleaned_seeds_hold_no_pinyin_no_damage(clean_docs):
    for doc_id, text in zip(clean_docs["doc_id"], clean_docs["text_clean"]):
        assert not re.search(r"\([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]", text), doc_id
        assert not re.search(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ\ufffd\ue000-\uf8ff]", text), doc_id
        assert "?" not in text, doc_id


def test_cleaned_seeds_hold_no_chrome(clean_docs):
    for doc_id, text in zip(clean_docs["doc_id"], clean_docs["text_clean"]):
        for chrome in CHROME:
            assert chrome not in text, (doc_id, chrome)
    # ... and the raw texts did hold every one of them
    readable = pt.compose(pt.strip_pinyin, pt.normalize_unicode, pt.to_simplified)
    raw = "\n".join(readable(t) for t in clean_docs["text"])
    assert all(chrome in raw for chrome in CHROME)


def test_cleaned_seeds_hold_no_broken_words(clean_docs):
    han = "\u4e00-\u9fff"
    for doc_id, text in zip(clean_docs["doc_id"], clean_docs["text_clean"]):
        assert not re.search(f"[{han}][ \u3000\xa0]+[{han}]", text), doc_id
    wuhan = clean_docs.set_index("doc_id").loc["wuhan_2021_draft", "text_clean"]
    raw = clean_docs.set_index("doc_id").loc["wuhan_2021_draft", "text"]
    # every 工业互联网 of the draft, however the PDF broke it, is whole again
    assert wuhan.count("工业互联网") == re.sub(r"\s", "", raw).count("工业互联网") > raw.count("工业互联网")


def test_cleaned_seeds_read_as_the_original_policy_text(clean_docs):
    text = clean_docs.set_index("doc_id")["text_clean"]
    assert text["hubei_2022_article"].startswith("近日,由工信部主办的《中国电子报》刊发了厅党组书记")
    assert "湖北省认真落实制造强国、网络强国、数字中国战略" in text["hubei_2022_article"]
    assert text["hubei_2022_article"].endswith("为制造强国、网络强国、数字中国建设贡献湖北力量。")
    assert text["xianning_2023_reply"].startswith("关于对市政协六届二次会议第045号提案办理情况的答复\n游世光委员:")
    assert text["xianning_2023_reply"].endswith("咸宁市经济和信息化局\n2023年7月26日")
    assert text["sichuan_2021_interpretation"].endswith("推动《行动计划》全面、深入实施。")
    assert text["shandong_2021_reply"].endswith("希望今后工作中继续给予指导,提出意见和建议。")
    assert text["wuhan_2021_draft"].endswith("给予重点支持。(责任单位:市经信局)")
    # nothing but chrome, damage and annotations went: the Simplified seeds lose under 10%
    for doc_id in ("sichuan_2021_interpretation", "shandong_2021_reply", "wuhan_2021_draft"):
        raw = clean_docs.set_index("doc_id").loc[doc_id, "text"]
        assert 0.9 < len(text[doc_id]) / len(raw) <= 1.0


# --- button and control bars of any portal (control words) ---------------------------------
# Written as strip_chrome sees them: after NFKC (ASCII colons, bars and brackets) and OpenCC
# (繁體 is 繁体 by then). Sources: gov.cn and provincial/city portals (font size, print, close,
# share, QR code, elder-friendly and accessible versions), flk.npc.gov.cn (下载 WORD PDF), pkulaw-like
# law sites (toolbar of 下载 打印 收藏 分享 纠错), and the 益阳 page of the city corpus (打印关闭分享到:).

_TITLE = "关于推进数字经济发展的意见"
_BODY = "各区县人民政府,市政府各部门:\n\n现将《实施意见》印发给你们,请认真贯彻落实。"

CONTROL_LINES = [
    "【字体:大 中 小】", "字号:T|T", "打印本页 关闭窗口", "【我要打印】【关闭】", "分享到:", "下载 | 打印 | 收藏 | 分享",
    "视力保护色:", "扫一扫在手机打开当前页", "语音播报", "无障碍浏览", "长者模式", "繁体", "返回顶部", "【打 印】 【关 闭】",
    "分享到: 微信 微博 QQ空间", "简体 | 繁体 | English", "无障碍 | 关怀版", "全屏阅读 | 退出全屏", "放大 缩小", "护眼模式",
    "下载: WORD PDF", "在手机上打开", "【我要纠错】", "打印关闭分享到:", "【收藏】【打印】【关闭】", "适老化 · 无障碍",
    "语音阅读 | 视力保护色:", "字号:[ 大 中 小 ] | 打印 | 关闭", "字体:A+ A A-", "分享 | 收藏 | 下载 | 打印 | 纠错",
    "[打印此页] [关闭窗口]", "<<返回", "列印本页 | 关闭", "手机看 | 收藏本页",
]


@pytest.mark.parametrize("chrome", CONTROL_LINES)
def test_a_control_line_goes_at_the_top_and_at_the_bottom(chrome):
    assert pt.strip_chrome(f"{chrome}\n{_TITLE}\n{_BODY}") == f"{_TITLE}\n{_BODY}"
    assert pt.strip_chrome(f"{_TITLE}\n{_BODY}\n{chrome}") == f"{_TITLE}\n{_BODY}"
    # blank lines stay, as where a rule removes a line (join_pdf_breaks shortens runs of them)
    assert pt.strip_chrome(f"\n{chrome}\n\n{_TITLE}\n{_BODY}\n\n{chrome}\n") == f"\n\n{_TITLE}\n{_BODY}\n\n"


def test_the_rules_alone_miss_most_control_lines_the_control_words_find():
    missed = [c for c in CONTROL_LINES
              if pt.strip_chrome(f"{_TITLE}\n{_BODY}\n{c}", control_words=[]) != f"{_TITLE}\n{_BODY}"]
    assert len(missed) >= 25, missed
    assert "打印关闭分享到:" in missed and "下载: WORD PDF" in missed and "长者模式" in missed


def test_a_block_of_control_lines_goes_at_the_top():
    page = ("繁体 | 无障碍浏览 | 长者模式\n\n字号:\n[ 默认 ] [ 大 ] [ 中 ] [ 小 ]\n|\n【收藏】 【打印】\n"
            f"{_TITLE}\n{_BODY}")
    assert pt.strip_chrome(page) == f"\n{_TITLE}\n{_BODY}"


def test_a_block_of_control_lines_goes_at_the_bottom():
    page = (f"{_TITLE}\n{_BODY}\n\n分享到:\n微信\n微博\nQQ空间\n\n打印本页 | 关闭窗口\n语音播报\n"
            "扫一扫在手机打开当前页\n返回顶部\n")
    assert pt.strip_chrome(page) == f"{_TITLE}\n{_BODY}\n\n\n"


def test_control_lines_after_full_width_forms_and_traditional_characters_are_removed_by_clean():
    raw = ("繁體 ｜ 無障礙瀏覽 ｜ 長者模式\n【字體：大 中 小】【打印本頁】【關閉窗口】\n" + _TITLE
           + "\n現將《實施意見》印發給你們，請認真貫徹落實。\n\n分享到：\n【我要糾錯】【列印】\n視力保護色：\n")
    docs = pd.DataFrame({"doc_id": ["a"], "text": [raw]})
    out = pt.clean(docs)
    acc = pt.clean_account(out)
    assert out["text_clean"].iloc[0] == f"{_TITLE}\n现将《实施意见》印发给你们,请认真贯彻落实。"
    chrome = acc.set_index("step").loc["strip_chrome"]
    assert chrome["chars_removed"] == len("繁体 | 无障碍浏览 | 长者模式\n【字体:大 中 小】【打印本页】【关闭窗口】\n"
                                          "分享到:\n【我要纠错】【列印】\n视力保护色:\n")


def test_a_control_line_in_the_body_goes_only_when_unmistakable():
    # two different control words: a button bar wherever it stands
    for bar in ("【打印】【关闭】", "打印本页 关闭窗口", "【字体:大 中 小】", "分享到: 微信 微博", "放大 缩小"):
        assert pt.strip_chrome(f"{_TITLE}\n第一段。\n{bar}\n第二段。") == f"{_TITLE}\n第一段。\n第二段。", bar
    # ... or a block of lines holding two
    assert pt.strip_chrome(f"{_TITLE}\n第一段。\n分享到:\n\n收藏\n第二段。") == f"{_TITLE}\n第一段。\n\n第二段。"
    # one control word alone in the body may be a heading or a word of the text: it stays
    for word in ("下载", "分享到:", "长者模式", "English", "全屏阅读"):
        text = f"{_TITLE}\n第一段。\n{word}\n第二段。"
        assert pt.strip_chrome(text) == text, word


def test_font_size_options_count_only_beside_a_font_size_word():
    for text in (f"大 中 小\n{_BODY}", f"{_BODY}\n大 中 小", f"{_BODY}\nT | T", f"{_BODY}\n[ 默认 ] [ 大 ] [ 中 ] [ 小 ]",
                 f"{_BODY}\n标准"):
        assert pt.strip_chrome(text) == text, text
    assert pt.strip_chrome(f"字号:\n大 中 小\n{_BODY}") == _BODY
    assert pt.strip_chrome(f"{_BODY}\n字体调整:\n[ 默认 ] [ 大 ] [ 中 ] [ 小 ]") == _BODY
    # 打印 is no font-size word: 大 中 小 stay, and end the block (for the control words: by its shape, a short line
    # between the last sentence and a button is a button too)
    assert pt.strip_chrome(f"{_BODY}\n大 中 小\n\n打印", body_shapes=[]) == f"{_BODY}\n大 中 小\n"
    assert pt.strip_chrome(f"{_BODY}\n大 中 小\n返回顶部\n打印本页", body_shapes=[]) == f"{_BODY}\n大 中 小"
    assert pt.strip_chrome(f"{_BODY}\n大 中 小\n\n打印") == f"{_BODY}\n"


def test_share_targets_count_only_beside_a_control_word():
    for text in (f"{_BODY}\n微信 微博", f"微信\n{_BODY}", f"{_BODY}\nQQ空间 | 朋友圈", f"{_BODY}\nWord PDF"):
        assert pt.strip_chrome(text) == text, text
    assert pt.strip_chrome(f"{_BODY}\n分享到:\n微信 微博") == _BODY
    assert pt.strip_chrome(f"{_BODY}\n【下载】\nWORD\nPDF") == _BODY


CONTENT_LINES = [
    "分享经济快速发展", "打印机产量增长", "全屏显示技术", "一、总体要求", "大 中 小企业", "大、中、小型企业", "(三)字体字号",
    "一、打印 关闭", "第七章 无障碍环境", "民间收藏文物", "放大“旅游+文化”综合效应", "下载量", "收藏品", "简体字",
    "大中型", "三、下载", "返回式卫星", "纠错机制", "扫码支付", "1.下载", "(四)依法被吊销营业执照、责令关闭或者被撤销;",
    "2.打印了与人事和直属领导关于拖欠工资的谈话记录", "申请人可以登录网上平台自行下载打印电子证照和批准文件。",
    "第二十七条 申请人请求保护色彩的,应当提交彩色图片或者照片。", "前款人民币图样包括放大、缩小和同样大小的人民币图样。",
]


@pytest.mark.parametrize("line", CONTENT_LINES)
def test_content_that_looks_like_controls_stays_wherever_it_stands(line):
    for text in (f"{line}\n{_BODY}", f"{_BODY}\n{line}", f"{_BODY}\n{line}\n{_BODY}",
                 f"{_BODY}\n\n{line}\n"):
        assert pt.strip_chrome(text) == text
    # in a page with chrome too: the chrome goes, the content line stays
    page = f"【打印】【关闭】\n{_BODY}\n{line}\n{_BODY}\n分享到:\n返回顶部"
    assert pt.strip_chrome(page) == f"{_BODY}\n{line}\n{_BODY}"


def test_the_footer_of_a_page_of_the_city_corpus():
    # citygwr_0094.txt (2024年益阳市政府工作报告) as scraped, after the last paragraph
    raw = ("争当全省先进,争拿省政府真抓实干激励奖项。\n\n扫一扫在手机打开当前页\n\n信息来源：市政府研究室\n\n作者：\n\n"
           "责任编辑：李媛媛\n\n打印关闭分享到：\n\n网站地图 | 页面纠错 | 版权声明 | 关于我们 | 联系我们\n\n"
           "主办单位：益阳市人民政府办公室咨询热线：0737-12345\n\n备案号：湘ICP备05002141号（备案管理系统）\n\n"
           "网站标识码：4309000006\n\n湘公网安备：43090302000044号\n\n党政机关\n")
    out = pt.clean(pd.DataFrame({"doc_id": ["yiyang"], "text": [raw]}))["text_clean"].iloc[0]
    assert out == "争当全省先进,争拿省政府真抓实干激励奖项。"  # the site's badge (党政机关) is no control word: its
    decisions = pt.chrome_decisions(pt.normalize_unicode(raw)).set_index("text")  # place below the chrome takes it
    assert decisions.loc["党政机关", "by"].startswith("shape:")


def test_user_control_words_extend_the_shipped_ones(tmp_path):
    words = tmp_path / "my_words.tsv"
    words.write_text("# mine\nword\t打赏\tpay-the-author button\noption\t支付宝\nfiller\t◎\n", encoding="utf-8")
    text = f"{_TITLE}\n{_BODY}\n◎打赏 ◎支付宝\n长者模式"
    docs = pd.DataFrame({"doc_id": ["a"], "text": [text]})
    assert pt.clean(docs, control_words=[words])["text_clean"].iloc[0] == f"{_TITLE}\n{_BODY}"
    # without them, the line is no control line (by its shape, beside 长者模式 at the bottom, it goes all the same)
    assert pt.clean(docs, default_body_shapes=False)["text_clean"].iloc[0] == f"{_TITLE}\n{_BODY}\n◎打赏 ◎支付宝"
    # instead of the shipped words: 长者模式 is no control word any more
    only_mine = pt.clean(docs, control_words=[words], default_control_words=False,
                         default_body_shapes=False)["text_clean"].iloc[0]
    assert only_mine == f"{_TITLE}\n{_BODY}\n长者模式"
    assert pt.strip_chrome(text, control_words=[cleaning.default_control_words_path(), words]) == f"{_TITLE}\n{_BODY}"
    assert pt.strip_chrome(text, control_words=[]) == text


def test_a_later_control_word_file_changes_the_kind_of_a_word(tmp_path):
    words = tmp_path / "demote.tsv"
    words.write_text("option\t下载\n", encoding="utf-8")  # 下载 only beside another control word
    files = [cleaning.default_control_words_path(), words]
    assert pt.strip_chrome(f"{_BODY}\n下载") == _BODY
    assert pt.strip_chrome(f"{_BODY}\n下载", control_words=files) == f"{_BODY}\n下载"
    assert pt.strip_chrome(f"{_BODY}\n下载 | 打印", control_words=files) == _BODY


def test_a_bad_control_word_file_is_an_error_naming_file_and_line(tmp_path):
    words = tmp_path / "bad.tsv"
    words.write_text("word\t打印\nbutton\t关闭\n", encoding="utf-8")
    docs = pd.DataFrame({"doc_id": ["a"], "text": ["x"]})
    with pytest.raises(pt.CorpusError, match=r"bad\.tsv, line 2: expected 'word\|fontsize\|size\|option\|filler"):
        pt.clean(docs, control_words=[words])
    words.write_text("word\t打印 本页\n", encoding="utf-8")
    with pytest.raises(pt.CorpusError, match=r"bad\.tsv, line 1: .*without spaces"):
        pt.clean(docs, control_words=[words])


def test_control_lines_are_only_deleted(raw_docs):
    pages = [f"{c}\n{_TITLE}\n{_BODY}\n{c}\n第二段。\n【打印】【关闭】\n{c}" for c in CONTROL_LINES + CONTENT_LINES]
    for text in pages + raw_docs["text"].tolist():
        after = pt.strip_chrome(text)
        assert cleaning._is_subsequence(after, text)
        assert cleaning._edit_counts(text, after) == (len(text) - len(after), 0, 0)


BODY_LINE = "各区县人民政府要加快推进数字经济发展,现将有关事项通知如下。"


def test_rules_cut_a_row_of_fields_one_by_one_and_keep_the_policy_text_after_them():
    # anchored rules match at the start of the line and again at the start of what is left
    line = "发布时间:2021-07-25 14:09 来源:山东省工业和信息化厅 浏览次数:123 各市工业和信息化局:现将有关事项通知如下。"
    decisions = pt.chrome_decisions(line)
    assert decisions["kept"].tolist() == ["各市工业和信息化局:现将有关事项通知如下。"]
    assert decisions["action"].tolist() == ["trimmed"]
    assert decisions["by"].iloc[0].count("chrome_rules.tsv:") == 3  # three rules, each named by its line
    # with nothing left but the fields, the line goes
    assert pt.strip_chrome("发布时间:2021-07-25 来源:本网 浏览次数:12\n正文。") == "正文。"
    # a tail is a whole line: a body line mentioning comments stays, and so does everything after it
    body = "鼓励网民参与评论和监督。\n第二段。"
    assert pt.strip_chrome(body) == body
    assert pt.strip_chrome(f"{BODY_LINE}\n参与评论\n网友1:好") == BODY_LINE
    assert pt.strip_chrome("参与评论\n网友1:好") == "参与评论\n网友1:好"  # a tail only below a sentence


def test_the_control_words_ship_with_the_package():
    path = cleaning.default_control_words_path()
    assert path == pt.data_path("cleaning", "control_words.tsv") and path.is_file()
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r" not in path.read_bytes()
    kinds, fillers = chrome.read_control_words(path)
    assert set(kinds.values()) == {"word", "fontsize", "size", "option"} and "【" in fillers and "|" in fillers
    assert kinds["打印"] == "word" and kinds["字号"] == "fontsize" and kinds["大"] == "size" and kinds["微信"] == "option"


def test_two_processes_clean_as_one_does_with_the_same_account():
    raw = pt.load_corpus(pt.bundled_corpus_path())
    docs = pd.concat([raw.assign(doc_id=raw["doc_id"].astype(str) + f"_{i}") for i in range(3)], ignore_index=True)
    one, two = pt.clean(docs), pt.clean(docs, n_jobs=2)
    pd.testing.assert_frame_equal(one, two)
    pd.testing.assert_frame_equal(pt.clean_account(one), pt.clean_account(two))


def test_a_step_no_worker_can_receive_runs_in_this_process():
    docs = pd.DataFrame({"doc_id": ["a", "b"], "text": ["數字經濟", "发展"]})
    out = pt.clean(docs, steps=[lambda text: text + "。"], n_jobs=2)
    assert out["text_clean"].tolist() == ["數字經濟。", "发展。"]
