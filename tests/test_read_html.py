"""Reading pages saved from government portals (policytext.io.html): the body whole and in order, the
portal's chrome and scripts left out, the encodings of Chinese portals, and the metadata the page states.

The pages in tests/data/html/ are written by hand in the shapes of portals: a provincial portal (UTF-8,
declared), a 政府信息公开 page with a metadata box above the body (GBK, not declared), a page of the
1990s laid out in tables (GB2312, declared in http-equiv), a gov.cn-style page saved by a browser as
UTF-8 that still declares gb2312, and a page whose body a script loads. Every expected value below is
read off the pages by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from policytext.io import html
from policytext.io.formats import Read, Unreadable
from policytext.text.chrome import strip_chrome
from policytext.text.cleaning import normalize_unicode

PAGES = Path(__file__).parent / "data" / "html"

HUBEI_BODY = [
    "鄂政发〔2021〕5号",
    "各市、州、县人民政府，省政府各部门：",
    "为深入贯彻党中央、国务院关于发展数字经济的决策部署，加快推进全省数字经济高质量发展，现提出如下意见。",
    "一、总体要求",
    "以数字产业化和产业数字化为主线，推动数字技术与实体经济深度融合，到2025年，全省数字经济增加值占地区生产总值比重达到50%左右。",
    "二、重点任务",
    "（一）加快新型基础设施建设。统筹推进5G网络、数据中心和工业互联网建设，2021年底前实现县城以上区域5G网络全覆盖。",
    "（二）培育壮大数字产业。围绕光电子信息、集成电路、新型显示等领域，打造具有国际竞争力的产业集群。",
    "三、保障措施",
    "各地各部门要加强组织领导，完善政策支持，强化人才保障，确保各项任务落到实处。",
    "湖北省人民政府",
    "2021年3月20日",
]
HUBEI_CHROME = ["首页", "办事服务", "互动交流", "走进湖北", "无障碍", "长者模式", "English", "当前位置",
                "相关链接", "政策解读", "数字政府建设总体规划", "网站地图", "联系我们", "网站声明", "主办单位",
                "承办单位", "ICP", "网站标识码", "公网安备", "4200000022"]
HUBEI_BARS = ["字号", "分享到", "微信", "微博", "打印本页", "关闭窗口"]

YICHANG_BODY = [
    "各县市区人民政府，宜昌高新区管委会，市政府各部门：",
    "《宜昌市优化营商环境若干措施》已经市人民政府同意，现印发给你们，请认真贯彻执行。",
    "宜昌市人民政府办公室",
    "2022年3月8日",
    "宜昌市优化营商环境若干措施",
    "为持续深化“放管服”改革，打造市场化、法治化、国际化营商环境，结合我市实际，制定以下措施。",
    "一、全面推行企业开办“一网通办”，实现营业执照、公章刻制、税务登记和社保登记一次办结。",
    "二、推进工程建设项目审批制度改革，社会投资简易低风险项目审批时间压减至15个工作日以内。",
    "三、建立涉企政策“免申即享”机制，符合条件的企业无需申请即可享受奖补资金。",
    "重点任务分工如下：",
    "序号\t工作任务\t责任单位",
    "1\t压缩企业开办时间至1个工作日以内\t市市场监管局",
    "2\t推行不动产登记“一窗受理”\t市自然资源和规划局",
    "本措施自印发之日起施行，有效期至2025年3月7日。",
]
YICHANG_CHROME = ["信息公开首页", "信息公开指南", "信息公开制度", "信息公开年报", "依申请公开", "当前位置",
                  "相关阅读", "图解", "新闻发布会", "主办单位", "大数据中心", "网站标识码", "ICP", "公网安备"]
YICHANG_BARS = ["字体", "打印本页", "关闭窗口"]
YICHANG_BOX = ["索 引 号", "011043017/2022-03125", "主题分类", "综合政务/其他", "成文日期", "发文字号",
               "发布日期", "公开方式", "主动公开"]

NINGXIANG_BODY = [
    "各乡镇人民政府，县直各有关单位：",
    "当前正值春耕生产的关键时期，为确保全年粮食生产目标任务的完成，经县人民政府同意，现就做好春耕生产工作通知如下。",
    "一、稳定粮食播种面积。各乡镇要把粮食生产任务分解落实到村组和农户，全县早稻播种面积稳定在五十万亩以上。",
    "二、抓好农资供应。供销、农业等部门要组织好种子、化肥、农药的调运和供应，严厉打击坑农害农行为。",
    "三、加强技术指导。县农业局要组织农技人员深入田间地头，推广水稻旱育秧和抛秧技术。",
    "四、切实加强领导。各乡镇主要负责人要亲自抓春耕生产，县人民政府将组织专项督查。",
    "宁乡县人民政府办公室",
    "二○○三年三月十日",
]
NINGXIANG_CHROME = ["首页", "政策法规", "办事指南", "县情概况", "栏目导航", "通知公告", "政府文件", "部门文件",
                    "当前位置", "相关链接", "防汛抗旱", "农业农村工作总结", "版权所有", "ICP", "IE5.0",
                    "分辨率"]
NINGXIANG_BARS = ["字号", "分享到", "微信", "微博", "打印本页", "关闭窗口", "浏览次数"]

GOVCN_BODY = [
    "国办发〔2022〕5号",
    "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
    "推进政务服务标准化、规范化、便利化，是深化“放管服”改革、推动有效市场和有为政府更好结合的重要举措。"
    "为此，经国务院同意，现提出以下意见。",
    "一、总体要求",
    "坚持以人民为中心的发展思想，聚焦企业和群众办事的难点堵点，推动政务服务从政府供给导向向群众需求导向转变。",
    "二、推进政务服务标准化",
    "明确政务服务事项范围，统一事项名称、编码、依据、类型等基本要素，实现同一事项在不同地区无差别受理、同标准办理。",
    "三、加强组织保障",
    "各地区各部门要高度重视，加强统筹协调，抓好贯彻落实，重大事项及时向国务院报告。",
    "国务院办公厅",
    "2022年1月30日",
    "（此件公开发布）",
]
GOVCN_CHROME = ["首页", "专题", "互动", "国务院政策文件库", "相关阅读", "答记者问", "关于本网", "网站声明",
                "网站地图", "联系我们", "版权所有", "中文域名", "运行维护", "ICP", "公网安备", "网站标识码"]
GOVCN_BARS = ["字体", "打印", "分享到", "微信", "微博"]
# The page's last line, 【我要纠错】 责任编辑：王洋, is chrome the cleaning leaves (a control word before an
# editor's field): not asserted here, it is the cleaning's to remove.

#: What must never come out of a page's scripts and styles.
CODE = ["_hmt", "document", "doZoom", "setFontSize", "MM_openBrWindow", "function", "{", "}", "px",
        "text-indent", "line-height", "FONT-SIZE", "hm.js", "shareTitle", "分享到微信朋友圈", "Vue", "fetch",
        "为进一步规范政府信息公开工作"]


def read(name: str) -> Read:
    return html.read(PAGES / name)


def cleaned(text: str) -> str:
    """The text after the cleaning steps that remove chrome, as ``clean()`` runs them (its rules are written
    for NFKC text)."""
    return strip_chrome(normalize_unicode(text))


def normalized(paragraphs: list[str]) -> list[str]:
    return [normalize_unicode(p) for p in paragraphs]


def assert_in_order_and_whole(text: str, paragraphs: list[str]) -> None:
    """Each paragraph is a line of the text of its own, whole, and they come in the page's order."""
    lines = text.splitlines()
    positions = []
    for paragraph in paragraphs:
        assert paragraph in lines, f"{paragraph!r} is not a whole line of:\n{text}"
        positions.append(lines.index(paragraph))
    assert positions == sorted(positions), positions


def assert_absent(text: str, strings: list[str]) -> None:
    found = [s for s in strings if s in text]
    assert found == [], f"{found} in:\n{text}"


# --- the pages ----------------------------------------------------------------------------------------

def test_a_provincial_portal_page_gives_its_body_in_order_without_the_portal():
    got = read("hubei_portal.html")
    assert_in_order_and_whole(got.text, HUBEI_BODY)
    assert_absent(got.text, HUBEI_CHROME + CODE)
    assert_absent(cleaned(got.text), HUBEI_BARS)
    assert_in_order_and_whole(cleaned(got.text), normalized(HUBEI_BODY))
    assert got.reader.startswith("trafilatura ")
    assert got.detail == ""  # declared rightly, read by trafilatura: nothing to say


def test_a_provincial_portal_page_gives_the_metadata_it_states_and_no_more():
    # the signature date (2021年3月20日) and the number (鄂政发〔2021〕5号) are in the body, unlabelled:
    # they are no 成文日期 or 发文字号 field, so neither becomes metadata
    assert read("hubei_portal.html").metadata == {
        "title": "省人民政府关于加快推进数字经济发展的意见",
        "date": "2021-03-25",
        "source": "湖北省人民政府办公厅",
    }


def test_a_disclosure_page_in_gbk_without_a_declaration_is_decoded_and_keeps_its_table():
    raw = (PAGES / "yichang_xxgk_gbk.html").read_bytes()
    assert b"charset" not in raw.lower()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    got = read("yichang_xxgk_gbk.html")
    assert_in_order_and_whole(got.text, YICHANG_BODY)
    assert_absent(got.text, YICHANG_CHROME + CODE)
    text = cleaned(got.text)
    assert_absent(text, YICHANG_BARS + YICHANG_BOX)
    assert_in_order_and_whole(text, normalized(YICHANG_BODY))


def test_a_disclosure_page_gives_the_fields_of_its_metadata_box():
    # 成文日期 (2022年3月8日) is the document's date; 发布日期 (2022年03月10日) only the posting's
    assert read("yichang_xxgk_gbk.html").metadata == {
        "title": "市人民政府办公室关于印发宜昌市优化营商环境若干措施的通知",
        "date": "2022-03-08",
        "doc_number": "宜府办发〔2022〕6号",
        "issuer": "宜昌市人民政府办公室",
    }


def test_a_page_laid_out_in_tables_gives_its_br_separated_paragraphs():
    got = read("ningxiang_table_gb2312.html")
    assert_in_order_and_whole(got.text, NINGXIANG_BODY)
    assert_absent(got.text, NINGXIANG_CHROME + CODE)
    text = cleaned(got.text)
    assert_absent(text, NINGXIANG_BARS)
    assert_in_order_and_whole(text, normalized(NINGXIANG_BODY))
    assert "\u00a0" not in got.text  # the &nbsp; indents are gone


def test_a_page_laid_out_in_tables_gives_its_fields_and_a_title_without_the_site_name():
    # <title>宁乡县人民政府网--关于做好2003年春耕生产工作的通知</title>, the site's name first
    assert read("ningxiang_table_gb2312.html").metadata == {
        "title": "关于做好2003年春耕生产工作的通知",
        "date": "2003-03-12",
        "source": "县农业局",
        "doc_number": "宁政办发[2003]12号",
    }


def test_a_page_saved_as_utf8_that_still_declares_gb2312_is_read_as_utf8():
    raw = (PAGES / "govcn_saved_utf8.html").read_bytes()
    assert b"charset=gb2312" in raw
    raw.decode("utf-8")  # it is UTF-8
    got = read("govcn_saved_utf8.html")
    assert_in_order_and_whole(got.text, GOVCN_BODY)
    assert_absent(got.text, GOVCN_CHROME + CODE)
    text = cleaned(got.text)
    assert_absent(text, GOVCN_BARS)
    assert_in_order_and_whole(text, normalized(GOVCN_BODY))
    assert "gb2312" in got.detail and "utf-8" in got.detail


def test_a_gov_cn_page_gives_og_title_the_meta_date_and_the_source_field():
    assert read("govcn_saved_utf8.html").metadata == {
        "title": "国务院办公厅关于推进政务服务标准化规范化便利化的指导意见",
        "date": "2022-03-01",
        "source": "中国政府网",
    }


def test_a_page_whose_body_a_script_loads_is_unreadable_with_a_reason():
    with pytest.raises(Unreadable) as caught:
        read("script_only_body.html")
    assert caught.value.reason == html.NO_MAIN_TEXT == "no main text"
    assert "script" in caught.value.detail


def test_the_count_of_removed_lines_is_measured():
    # the Hubei page has 29 lines of text (a block or a cell each): the 12 of the body, the heading, the
    # line of fields, the share bar, the print bar; and 13 that no main text holds: the top links (1),
    # the menu (5), the breadcrumb (1), the related links (3) and the footer (3)
    got = read("hubei_portal.html")
    assert 13 <= got.removed["boilerplate"] <= 29 - 12


# --- encodings --------------------------------------------------------------------------------------------

BODY = "<p>为进一步加强数字政府建设，提升政务服务效能，现就有关事项通知如下。</p><p>一、加快推进政务数据共享。</p>"


def page(head: str = "", body: str = BODY) -> str:
    return f"<html><head>{head}<title>关于加强数字政府建设的通知</title></head><body>{body}</body></html>"


def test_gb18030_characters_outside_gbk_survive_a_gb18030_declaration():
    body = "<p>为进一步加强数字政府建设，现将龑䶮等字收入字库的有关事项通知如下。</p>"
    data = page('<meta charset="gb18030">', body).encode("gb18030")
    with pytest.raises(UnicodeEncodeError):
        "䶮".encode("gbk")
    assert "为进一步加强数字政府建设，现将龑䶮等字收入字库的有关事项通知如下。" in html.read_html(data).text.splitlines()


@pytest.mark.parametrize("head", ['<meta charset="gbk">', '<meta charset=GB2312>',
                                  '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'])
def test_a_declared_gbk_page_is_read_as_declared(head):
    got = html.read_html(page(head).encode("gbk"))
    assert "为进一步加强数字政府建设，提升政务服务效能，现就有关事项通知如下。" in got.text.splitlines()
    assert got.detail == ""


def test_a_page_declared_utf8_but_in_gbk_is_decoded_as_what_it_is_and_says_so():
    got = html.read_html(page('<meta charset="utf-8">').encode("gbk"))
    assert "一、加快推进政务数据共享。" in got.text.splitlines()
    assert "utf-8" in got.detail and "gb18030" in got.detail


def test_an_xml_declaration_is_honoured():
    data = ('<?xml version="1.0" encoding="gb2312"?>\n' + page()).encode("gb2312")
    assert "一、加快推进政务数据共享。" in html.read_html(data).text.splitlines()


def test_a_byte_order_mark_decides_over_a_declaration():
    data = "\ufeff".encode("utf-8") + page('<meta charset="gbk">').encode("utf-8")
    got = html.read_html(data)
    assert "一、加快推进政务数据共享。" in got.text.splitlines()
    assert not got.text.startswith("\ufeff")


@pytest.mark.parametrize("data, reason", [(b"", "empty"), (b"  \n\t ", "empty"), (b"\x00\x01\x02\x03" * 50, "binary")])
def test_bytes_that_are_no_text_are_unreadable_with_the_decoders_reason(data, reason):
    with pytest.raises(Unreadable) as caught:
        html.read_html(data)
    assert caught.value.reason == reason


# --- metadata ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("title, expected", [
    ("关于加强数字政府建设的通知_湖北省人民政府门户网站", "关于加强数字政府建设的通知"),
    ("关于加强数字政府建设的通知 - 武汉市人民政府", "关于加强数字政府建设的通知"),
    ("关于加强数字政府建设的通知|襄阳市人民政府网", "关于加强数字政府建设的通知"),
    ("宜昌市人民政府--关于加强数字政府建设的通知", "关于加强数字政府建设的通知"),
    ("关于加强2021-2025年数字政府建设的通知", "关于加强2021-2025年数字政府建设的通知"),  # a hyphen of digits
    ("关于加快建设法治政府的通知", "关于加快建设法治政府的通知"),  # no separator: nothing is a site's name
])
def test_the_title_element_loses_the_site_name(title, expected):
    data = f"<html><head><title>{title}</title></head><body>{BODY}</body></html>".encode("utf-8")
    assert html.read_html(data).metadata["title"] == expected


def test_the_title_is_the_pages_heading_that_the_title_element_holds():
    # gov.cn's titles carry a column too (_国务院文件_中国政府网): the heading tells where the title ends
    data = ("<html><head><title>关于加强数字政府建设的通知_国务院文件_中国政府网</title></head><body>"
            f"<h1>关于加强数字政府建设的通知</h1>{BODY}</body></html>").encode("utf-8")
    assert html.read_html(data).metadata["title"] == "关于加强数字政府建设的通知"


def test_a_title_that_is_only_the_site_name_is_no_title():
    data = ('<html><head><meta name="SiteName" content="武汉市人民政府"><title>武汉市人民政府</title></head>'
            f"<body>{BODY}</body></html>").encode("utf-8")
    assert "title" not in html.read_html(data).metadata


def test_fields_on_lines_and_in_cells_and_empty_values():
    body = ("<div>发布时间：2023/5/6 10:25 | 来源： 市发展改革委 | 浏览次数：12</div>"
            "<table><tr><td>发文字号：</td><td>无</td><td>发布机构：</td><td>中共某市委 某市人民政府</td></tr></table>"
            + BODY)
    got = html.read_html(page(body=body).encode("utf-8"))
    # 发文字号 is 无: no number; the issuer cell holds two bodies, a space between them
    assert got.metadata == {"title": "关于加强数字政府建设的通知", "date": "2023-05-06", "source": "市发展改革委",
                            "issuer": "中共某市委 某市人民政府"}


def test_a_date_in_chinese_numerals_is_read_and_a_label_in_a_sentence_is_no_field():
    body = ("<p>成文日期：二〇二三年五月六日</p>"
            "<p>本表数据来源：市统计局。为进一步加强数字政府建设，现就有关事项通知如下。</p>")
    got = html.read_html(page(body=body).encode("utf-8"))
    assert got.metadata.get("date") == "2023-05-06" and "source" not in got.metadata
    impossible = html.read_html(page(body=body.replace("五月六日", "二月三十日")).encode("utf-8"))
    assert "date" not in impossible.metadata




# --- the fallback ---------------------------------------------------------------------------------------

def test_when_trafilatura_finds_nothing_the_largest_text_block_is_taken_and_the_account_says_so(monkeypatch):
    import trafilatura

    monkeypatch.setattr(trafilatura, "extract", lambda *args, **kwargs: None)
    got = read("hubei_portal.html")
    assert got.text.splitlines() == HUBEI_BODY  # the content <div>, and nothing else
    assert got.reader.startswith("lxml ") and "largest text block" in got.reader
    assert "trafilatura found no main text" in got.detail and 'id="zoom"' in got.detail


def test_the_fallback_reads_a_table_layout_too(monkeypatch):
    import trafilatura

    monkeypatch.setattr(trafilatura, "extract", lambda *args, **kwargs: None)
    got = read("ningxiang_table_gb2312.html")
    assert got.text.splitlines() == NINGXIANG_BODY


def test_a_missing_file_is_unreadable_and_named():
    with pytest.raises(Unreadable) as caught:
        html.read(PAGES / "no_such_page.html")
    assert caught.value.reason == "unreadable" and "no_such_page.html" in caught.value.detail


def test_the_file_is_named_in_the_reason_it_is_unreadable_and_bytes_already_read_are_read():
    with pytest.raises(Unreadable) as caught:
        read("script_only_body.html")
    assert caught.value.detail.startswith("script_only_body.html: ")
    data = (PAGES / "hubei_portal.html").read_bytes()
    got = html.read(PAGES / "not_read_at_all.html", data=data)
    assert_in_order_and_whole(got.text, HUBEI_BODY)


def test_a_declaration_the_bytes_are_valid_in_but_read_as_nonsense_in_is_overruled():
    # Latin-1 decodes any bytes, so a GBK page that declares it (as editors of the 2000s wrote) decodes
    # "rightly" as mojibake: the encoding that reads as Chinese wins, and the account says so
    got = html.read_html(page('<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">')
                         .encode("gbk"))
    assert "一、加快推进政务数据共享。" in got.text.splitlines()
    assert "iso-8859-1" in got.detail and "gb18030" in got.detail


def test_a_table_of_one_paragraph_a_cell_stays_a_table_and_a_layout_table_does_not():
    data_table = ("<table><tr><td><p>序号</p></td><td><p>项目名称</p></td><td><p>补助金额（万元）</p></td></tr>"
                  "<tr><td><p>1</p></td><td><p>智能制造示范工厂</p></td><td><p>200</p></td></tr>"
                  "<tr><td><p>2</p></td><td><p>工业互联网平台</p></td><td><p>150</p></td></tr></table>")
    got = html.read_html(page(body=BODY + data_table).encode("utf-8"))
    assert "1\t智能制造示范工厂\t200" in got.text.splitlines()
    assert "2\t工业互联网平台\t150" in got.text.splitlines()


def test_a_list_published_as_a_table_has_no_sentence_and_is_read_all_the_same():
    # the disclosure page of Yichang, its body a list of enterprises in a table: no sentence anywhere
    shell = (PAGES / "yichang_xxgk_gbk.html").read_bytes().decode("gbk")
    start, end = shell.index('<div id="xxgk_content">'), shell.index('<div class="btns">')
    table = ('<div id="xxgk_content"><h2>2023年度市级专精特新中小企业名单</h2><table>'
             "<tr><th>序号</th><th>企业名称</th><th>所在县市区</th></tr>"
             "<tr><td>1</td><td>宜昌某某新材料有限公司</td><td>猇亭区</td></tr>"
             "<tr><td>2</td><td>宜昌某某智能装备有限公司</td><td>夷陵区</td></tr>"
             "<tr><td>3</td><td>宜昌某某生物科技有限公司</td><td>枝江市</td></tr></table></div>")
    got = html.read_html((shell[:start] + table + shell[end:]).encode("gbk"))
    assert_in_order_and_whole(got.text, ["序号\t企业名称\t所在县市区", "1\t宜昌某某新材料有限公司\t猇亭区",
                                         "2\t宜昌某某智能装备有限公司\t夷陵区", "3\t宜昌某某生物科技有限公司\t枝江市"])
    assert_absent(got.text, YICHANG_CHROME)


def test_a_page_of_frames_and_a_page_of_an_attachment_are_unreadable_with_what_to_do():
    frames = page(body='<div class="nav"><a href="/">首页</a></div><iframe src="/content/2023/0506.htm"></iframe>')
    with pytest.raises(Unreadable) as caught:
        html.read_html(frames.encode("utf-8"))
    assert caught.value.reason == "no main text" and "/content/2023/0506.htm" in caught.value.detail
    attachment = page(body='<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a></div>'
                           '<p>附件：<a href="/files/2023/关于促进消费的若干措施.pdf">关于促进消费的若干措施.pdf</a></p>')
    with pytest.raises(Unreadable) as caught:
        html.read_html(attachment.encode("utf-8"))
    assert caught.value.reason == "no main text" and "关于促进消费的若干措施.pdf" in caught.value.detail


def test_when_trafilatura_gives_only_chrome_the_largest_text_block_is_taken(monkeypatch):
    import trafilatura

    monkeypatch.setattr(trafilatura, "extract", lambda *args, **kwargs: "首页\n政务公开\n办事服务")
    got = read("yichang_xxgk_gbk.html")
    assert "trafilatura found no prose (only 3 lines)" in got.detail
    assert_in_order_and_whole(got.text, [p for p in YICHANG_BODY if "\t" not in p])


def test_a_subtitle_after_a_dash_is_kept_though_the_heading_is_the_main_title_alone():
    # 讲话 and 报告 carry their occasion after ——: no site's name, so nothing is cut
    title = "奋力谱写高质量发展新篇章——在全省经济工作会议上的讲话"
    data = (f"<html><head><title>{title}</title></head><body><h1>奋力谱写高质量发展新篇章</h1>"
            f"{BODY}</body></html>").encode("utf-8")
    assert html.read_html(data).metadata["title"] == title


def test_a_cell_of_a_few_names_a_line_keeps_its_table_a_row_a_line():
    body = (BODY + "<table><tr><td>序号</td><td>工作任务</td><td>责任单位</td></tr>"
            "<tr><td>1</td><td>推进政务数据共享</td><td>市政务服务数据管理局<br>市发展改革委<br>市财政局</td></tr>"
            "<tr><td>2</td><td>建设一体化政务服务平台</td><td>市政务服务数据管理局</td></tr></table>")
    lines = html.read_html(page(body=body).encode("utf-8")).text.splitlines()
    assert "1\t推进政务数据共享\t市政务服务数据管理局 市发展改革委 市财政局" in lines
    assert "2\t建设一体化政务服务平台\t市政务服务数据管理局" in lines


# --- through load_corpus ----------------------------------------------------------------------------------

def test_portal_pages_load_through_load_corpus_with_their_metadata_where_the_table_has_none(tmp_path):
    import shutil

    import policytext as pt

    for name in ("hubei_portal.html", "yichang_xxgk_gbk.html"):
        shutil.copyfile(PAGES / name, tmp_path / name)
    (tmp_path / "metadata.csv").write_text("file,doc_id,title,province\nhubei_portal.html,hubei,,湖北省\n"
                                           "yichang_xxgk_gbk.html,yichang,宜昌的通知,湖北省\n", encoding="utf-8")
    docs = pt.load_corpus(tmp_path).set_index("doc_id")
    account = pt.load_account(docs).set_index("doc_id")
    assert account.loc[["hubei", "yichang"], "status"].tolist() == ["loaded", "loaded"]
    assert all(r.startswith("trafilatura ") for r in account.loc[["hubei", "yichang"], "reader"])
    assert_in_order_and_whole(docs.loc["hubei", "text"], HUBEI_BODY)
    assert_absent(docs.loc["hubei", "text"], HUBEI_CHROME + CODE)
    assert_in_order_and_whole(docs.loc["yichang", "text"], YICHANG_BODY)
    # the page's own title and date fill the empty cells; the table's title wins where it has one
    assert docs.loc["hubei", "title"] == "省人民政府关于加快推进数字经济发展的意见"
    assert docs.loc["yichang", "title"] == "宜昌的通知"
    assert docs.loc["hubei", "date"] == "2021-03-25" and docs.loc["yichang", "date"] == "2022-03-08"
    assert docs.loc["yichang", "doc_number"] == "宜府办发〔2022〕6号"
    # what neither the table nor the page's fields give comes from the text's header and signature
    assert docs.loc["hubei", "doc_number"] == "鄂政发〔2021〕5号" and docs.loc["hubei", "issuer"] == "湖北省人民政府"
    changes = pt.metadata_changes(docs)
    assert set(changes["change"]) >= {"from the file", "from the text's header"}
    assert not ((changes["column"] == "title") & (changes["after"] == docs.loc["hubei", "title"])
                & (changes["row"] == 3)).any()  # row 3 (yichang) kept its own title
