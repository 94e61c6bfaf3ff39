"""Reading the documents researchers have: PDF (with a text layer, scanned), Word (DOCX; DOC and WPS through
LibreOffice), each through load_corpus, with what each reader removed and why a file was skipped.

Every document is made here, at test time, and every expected text is written out by hand.
"""

from __future__ import annotations

import hashlib
import logging
import shutil

import pytest

import policytext as pt
from policytext.io import docx as docx_reader
from policytext.io import loading, office, pdf
from policytext.io.formats import Read, Unreadable

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

# --------------------------------------------------------------------------------------------------------------
# The documents
# --------------------------------------------------------------------------------------------------------------

PDF_PAGES = [
    # (y, text): a running header, the body (a sentence broken across two lines), two kinds of page number
    [(800, "某某市人民政府办公室文件"), (740, "关于推进数字经济高质量发展的实施意见"), (710, "一、总体要求"),
     (680, "加快推进工业互联网创新发展，打造全国数字经济"), (655, "发展高地。"), (60, "- 1 -"),
     (40, "第 1 页 共 2 页")],
    [(800, "某某市人民政府办公室文件"), (740, "二、重点任务"), (710, "（一）建设全国一体化算力网络国家枢纽节点。"),
     (60, "- 2 -"), (40, "第 2 页 共 2 页")],
]
PDF_TEXT = ("关于推进数字经济高质量发展的实施意见\n一、总体要求\n加快推进工业互联网创新发展，打造全国数字经济\n"
            "发展高地。\n二、重点任务\n（一）建设全国一体化算力网络国家枢纽节点。")


def write_pdf(path, pages=PDF_PAGES, *, encrypt=None):
    """A PDF in the CID font STSong-Light (GB encoding through UniGB-UCS2-H, no ToUnicode map, not embedded)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), encrypt=encrypt)
    for lines in pages:
        c.setFont("STSong-Light", 12)
        for y, text in lines:
            c.drawString(72, y, text)
        c.showPage()
    c.save()
    return path


def write_scanned_pdf(path, n_pages=2):
    """A PDF of page images (what a scanner writes): no text layer."""
    from PIL import Image, ImageDraw

    images = []
    for i in range(n_pages):
        image = Image.new("RGB", (620, 877), "white")
        draw = ImageDraw.Draw(image)
        draw.text((60, 60), f"SCANNED PAGE {i + 1}", fill="black")
        for k in range(12):
            draw.rectangle((60, 120 + 40 * k, 560, 130 + 40 * k), fill="black")  # lines of "text"
        images.append(image)
    images[0].save(path, "PDF", resolution=75, save_all=True, append_images=images[1:])
    return path


ABSTRACT_NUMS = f"""
<w:abstractNum {W_NS} w:abstractNumId="90">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/>
    <w:suff w:val="nothing"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/>
    <w:suff w:val="nothing"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
</w:abstractNum>|
<w:abstractNum {W_NS} w:abstractNumId="91">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="第%1章"/></w:lvl>
</w:abstractNum>|
<w:abstractNum {W_NS} w:abstractNumId="93">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="\uf06c"/></w:lvl>
</w:abstractNum>"""
FOOTNOTES = f"""<w:footnotes {W_NS}>
  <w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>
  <w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>
  <w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> 数据来源：国家统计局。</w:t></w:r>
  </w:p></w:footnote>
</w:footnotes>"""
DOCX_LINES = [
    "关于推进数字经济发展的实施意见",
    "第一章 总则",  # numbered through its style (Heading 1), the tab after the number a space
    "一、总体要求",
    "（一）发展目标",
    "1.到2025年，数字经济核心产业增加值占比达到10%。",
    "2.建成一批工业互联网平台。",  # and a footnote reference
    "（二）主要任务",
    "1.加强数据中心建设。",  # level 3 starts again under the new level 2
    "二、保障措施",
    "要点一",  # a bullet: no number
    "保留的文字",  # a tracked deletion and a hidden run left out
    "指标\t2020年\t2025年",
    "数字经济核心产业增加值占比\t7.8%\t10%",
    "5G基站数（万个）\t待定",  # a merged cell, given once
    "数据来源：国家统计局。",  # the footnote, after the body
]


def write_docx(path):
    """A DOCX with automatic numbering (chineseCounting, decimal, a style's numbering, a bullet), a table with a
    merged cell, a footnote, a header and a footer, a tracked deletion and hidden text."""
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml

    doc = docx.Document()
    numbering = doc.part.numbering_part.element
    first_num = next((i for i, child in enumerate(numbering) if child.tag.endswith("}num")), len(numbering))
    for k, xml in enumerate(ABSTRACT_NUMS.split("|")):
        numbering.insert(first_num + k, parse_xml(xml.strip()))
    for num_id in ("90", "91", "93"):
        numbering.append(parse_xml(f'<w:num {W_NS} w:numId="{num_id}"><w:abstractNumId w:val="{num_id}"/></w:num>'))
    heading = doc.styles["Heading 1"].element
    heading.get_or_add_pPr().append(parse_xml(f'<w:numPr {W_NS}><w:numId w:val="91"/></w:numPr>'))

    def numbered(text, num_id, ilvl=0):
        p = doc.add_paragraph(text)
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {W_NS}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))
        return p

    doc.add_paragraph("关于推进数字经济发展的实施意见")
    doc.add_paragraph("总则", style="Heading 1")
    numbered("总体要求", 90, 0)
    numbered("发展目标", 90, 1)
    numbered("到2025年，数字经济核心产业增加值占比达到10%。", 90, 2)
    p = numbered("建成一批工业互联网平台。", 90, 2)
    p._p.append(parse_xml(f'<w:r {W_NS}><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                          '<w:footnoteReference w:id="1"/></w:r>'))
    numbered("主要任务", 90, 1)
    numbered("加强数据中心建设。", 90, 2)
    numbered("保障措施", 90, 0)
    numbered("要点一", 93, 0)
    p = doc.add_paragraph("保留的文字")
    p._p.append(parse_xml(f'<w:del {W_NS} w:id="7" w:author="审核人" w:date="2024-01-01T00:00:00Z"><w:r>'
                          '<w:delText>删除的文字</w:delText></w:r></w:del>'))
    p.add_run("隐藏的批注").font.hidden = True
    table = doc.add_table(rows=3, cols=3)
    for r, row in enumerate([["指标", "2020年", "2025年"], ["数字经济核心产业增加值占比", "7.8%", "10%"],
                             ["5G基站数（万个）", "", ""]]):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    table.cell(2, 1).merge(table.cell(2, 2)).text = "待定"
    section = doc.sections[0]
    section.header.paragraphs[0].text = "某某市人民政府办公室"
    section.footer.paragraphs[0].text = "- 1 -"
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                FOOTNOTES.encode("utf-8"), doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)
    doc.save(str(path))
    return path


@pytest.fixture
def no_libreoffice(monkeypatch):
    monkeypatch.setattr(office, "soffice", lambda: None)


def by_file(docs):
    return pt.load_account(docs).set_index("file")


# --------------------------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------------------------

def test_a_pdf_in_a_cid_font_gives_its_chinese_lines_without_page_numbers_and_running_headers(tmp_path):
    got = pdf.read(write_pdf(tmp_path / "notice.pdf"))
    assert got.text == PDF_TEXT
    assert got.removed == {"page numbers": 4, "running headers": 2}
    assert got.reader.startswith("pypdfium2 ") and got.detail == ""


def test_the_pdf_through_load_corpus_keeps_the_broken_line_for_the_cleaning_step(tmp_path):
    write_pdf(tmp_path / "notice.pdf")
    docs = pt.load_corpus(tmp_path)
    assert docs["doc_id"].tolist() == ["notice"] and docs["text"].tolist() == [PDF_TEXT]
    assert docs["encoding"].tolist() == [""]
    row = by_file(docs).loc["notice.pdf"]
    assert row["status"] == "loaded" and row["reason"] == ""
    assert row["reader"].startswith("pypdfium2 ")
    assert row["removed"] == "page numbers 4; running headers 2"
    assert row["n_chars"] == len(PDF_TEXT)
    assert row["sha256"] == hashlib.sha256((tmp_path / "notice.pdf").read_bytes()).hexdigest()
    # the reader keeps the line broken inside the sentence; the cleaning step joins it
    assert "数字经济\n发展高地" in docs["text"].iloc[0]
    assert "打造全国数字经济发展高地。" in pt.clean(docs, progress=False)["text_clean"].iloc[0]


def test_a_scanned_pdf_is_skipped_with_the_reason_and_what_to_do(tmp_path):
    write_scanned_pdf(tmp_path / "scan.pdf")
    with pytest.raises(Unreadable) as err:
        pdf.read(tmp_path / "scan.pdf")
    assert err.value.reason == "scanned PDF"
    assert "2 page(s)" in err.value.detail and "OCR" in err.value.detail and "ocrmypdf" in err.value.detail
    assert ".txt" in err.value.detail


def test_a_scanned_pdf_beside_a_readable_one_is_accounted_for(tmp_path, caplog):
    write_pdf(tmp_path / "notice.pdf")
    write_scanned_pdf(tmp_path / "scan.pdf")
    with caplog.at_level(logging.WARNING, logger="policytext.io.loading"):
        docs = pt.load_corpus(tmp_path)
    assert docs["doc_id"].tolist() == ["notice"]
    row = by_file(docs).loc["scan.pdf"]
    assert (row["status"], row["reason"]) == ("skipped", "scanned PDF")
    assert "ocrmypdf" in row["detail"] and row["n_bytes"] == (tmp_path / "scan.pdf").stat().st_size
    assert "1 scanned PDF" in caplog.text
    with pytest.raises(pt.CorpusError, match="scan.pdf: scanned PDF"):
        pt.load_corpus(tmp_path, strict=True)


def test_a_text_saved_beside_a_scanned_pdf_is_read_instead_of_it(tmp_path):
    write_scanned_pdf(tmp_path / "a.pdf")
    (tmp_path / "a.txt").write_text("扫描件的文字。", encoding="utf-8")
    docs = pt.load_corpus(tmp_path)
    assert docs[["doc_id", "file", "text"]].values.tolist() == [["a", "a.txt", "扫描件的文字。"]]
    row = by_file(docs).loc["a.pdf"]
    assert row["reason"] == "duplicate doc_id" and "a.txt has the same name" in row["detail"]


def test_a_pdf_with_some_pages_scanned_is_read_and_says_which_pages_lack_text(tmp_path):
    pages = [PDF_PAGES[0], [(60, "- 2 -")], PDF_PAGES[1]]
    got = pdf.read(write_pdf(tmp_path / "mixed.pdf", pages))
    assert got.text == PDF_TEXT
    assert "page(s) 2 of 3 have no text layer" in got.detail


@pytest.mark.parametrize("kind", ["not a pdf", "encrypted", "no pages"])
def test_a_damaged_encrypted_or_empty_pdf_is_unreadable_naming_the_file(tmp_path, kind):
    path = tmp_path / "bad.pdf"
    if kind == "not a pdf":
        path.write_bytes(b"%PDF-1.7\n this is not a PDF")
    elif kind == "encrypted":
        write_pdf(path, encrypt="secret")
    else:
        path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
                         b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    with pytest.raises(Unreadable) as err:
        pdf.read(path)
    assert err.value.reason == "unreadable" and err.value.detail.startswith("bad.pdf: ")
    if kind == "encrypted":
        assert "password" in err.value.detail
    row = by_file(pt.load_corpus(tmp_path)).loc["bad.pdf"]
    assert (row["status"], row["reason"]) == ("skipped", "unreadable")


def test_an_empty_pdf_file_is_empty(tmp_path):
    (tmp_path / "zero.pdf").write_bytes(b"")
    assert by_file(pt.load_corpus(tmp_path)).loc["zero.pdf", "reason"] == "empty"


def test_page_furniture_is_removed_only_at_the_edges_and_counted_by_kind():
    pages = [["2021年第3期 某某市人民政府公报", "第一条 为了规范数据管理。", "12", "第二条 本办法适用于本市。", "1/3"],
             ["2021年第4期 某某市人民政府公报", "第三条 市政府统筹。", "Page 2 of 3"],
             ["第四条 本办法自印发之日起施行。", "— 3 —"]]
    out, removed = pdf.remove_page_furniture(pages)
    assert out == [["第一条 为了规范数据管理。", "12", "第二条 本办法适用于本市。"], ["第三条 市政府统筹。"],
                   ["第四条 本办法自印发之日起施行。"]]
    assert removed == {"page numbers": 3, "running headers": 2}
    # a bare number is a page number only as a page's first or last line
    assert pdf.remove_page_furniture([["3", "正文甲"], ["正文乙", "4"]]) == ([["正文甲"], ["正文乙"]],
                                                                           {"page numbers": 2})
    # one page has no running header: a line at its top is a line
    assert pdf.remove_page_furniture([["标题", "正文"]]) == ([["标题", "正文"]], {})


def test_lines_alike_but_for_a_number_are_running_headers_only_when_the_number_counts_the_pages():
    articles = [["第1条 本条措施相同。", "正文一"], ["第5条 本条措施相同。", "正文二"], ["第9条 本条措施相同。", "正文三"]]
    assert pdf.remove_page_furniture(articles) == (articles, {})
    gazette = [["某某市人民政府公报 · 7 ·", "正文一"], ["某某市人民政府公报 · 8 ·", "正文二"],
               ["某某市人民政府公报 · 9 ·", "正文三"]]
    assert pdf.remove_page_furniture(gazette) == ([["正文一"], ["正文二"], ["正文三"]], {"running headers": 3})
    # however alike the pages' lines are, no more than EDGE_LINES go from each end of a page
    same = [["相同的行。"] * 6 for _ in range(3)]
    out, removed = pdf.remove_page_furniture(same)
    assert out == [["相同的行。"] * 2] * 3 and removed == {"running headers": 6, "running footers": 6}


def write_pdf_without_unicode_map(path):
    """A PDF whose font (Identity-H, not embedded) has no ToUnicode map: its glyph numbers mean no characters."""
    content = b"BT /F1 12 Tf 72 700 Td <" + b"".join(b"%04X" % (300 + 97 * i) for i in range(40)) + b"> Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
         b"/Contents 4 0 R >>"),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+SimSun /Encoding /Identity-H /DescendantFonts [6 0 R] >>",
        (b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+SimSun /CIDSystemInfo << /Registry (Adobe) "
         b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R /DW 1000 >>"),
        (b"<< /Type /FontDescriptor /FontName /ABCDEF+SimSun /Flags 4 /FontBBox [0 -141 1000 859] /ItalicAngle 0 "
         b"/Ascent 859 /Descent -141 /CapHeight 700 /StemV 80 >>"),
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(out)
    return path


def test_a_text_layer_without_a_unicode_map_is_unreadable_with_the_advice_to_run_ocr(tmp_path):
    with pytest.raises(Unreadable) as err:
        pdf.read(write_pdf_without_unicode_map(tmp_path / "glyphs.pdf"))
    assert err.value.reason == "unreadable"
    assert "no readable text" in err.value.detail and "ocrmypdf --force-ocr" in err.value.detail


@pytest.mark.parametrize("line, bare, expected", [
    ("- 1 -", False, True), ("—2—", False, True), ("－ 12 －", False, True), ("第 3 页 共 10 页", False, True),
    ("第3页/共10页", False, True), ("共10页 第3页", False, True), ("3/10", False, True), ("Page 3 of 10", False, True),
    ("3", False, False), ("3", True, True), ("2021", True, False), ("第三条", True, False), ("- 附件 -", False, False),
])
def test_page_numbers_are_recognised(line, bare, expected):
    assert pdf.is_page_number(line, bare=bare) is expected


# --------------------------------------------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------------------------------------------

def test_a_docx_keeps_its_automatic_numbering_tables_and_footnotes(tmp_path):
    got = docx_reader.read(write_docx(tmp_path / "plan.docx"))
    assert got.text.split("\n") == DOCX_LINES
    assert got.removed == {"page numbers": 1, "running headers": 1}
    assert got.reader.startswith("policytext ") and got.reader.endswith(" docx")
    assert got.detail == "1 footnote(s) placed after the body"


def test_the_docx_through_load_corpus(tmp_path):
    write_docx(tmp_path / "plan.docx")
    docs = pt.load_corpus(tmp_path)
    assert docs["text"].tolist() == ["\n".join(DOCX_LINES)]
    row = by_file(docs).loc["plan.docx"]
    assert row["status"] == "loaded" and row["removed"] == "page numbers 1; running headers 1"
    assert row["n_chars"] == len("\n".join(DOCX_LINES)) and row["reader"].endswith(" docx")
    for number in ("一、", "（一）", "1.", "二、", "第一章 "):
        assert number in docs["text"].iloc[0]


def test_a_docx_that_is_not_one_is_unreadable_with_what_it_is(tmp_path):
    (tmp_path / "old.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    (tmp_path / "junk.docx").write_bytes(b"not a zip at all")
    account = by_file(pt.load_corpus(tmp_path))
    assert account.loc["old.docx", "reason"] == "unreadable" and "Word 97-2003" in account.loc["old.docx", "detail"]
    assert account.loc["junk.docx", "reason"] == "unreadable" and "not a ZIP" in account.loc["junk.docx", "detail"]


@pytest.mark.parametrize("n, fmt, expected", [
    (1, "chineseCounting", "一"), (10, "chineseCounting", "十"), (15, "chineseCounting", "十五"),
    (20, "chineseCounting", "二十"), (21, "chineseCountingThousand", "二十一"), (100, "chineseCounting", "一百"),
    (101, "chineseCounting", "一百零一"), (110, "chineseCounting", "一百一十"), (2024, "chineseCounting", "二千零二十四"),
    (10, "ideographDigital", "一〇"), (3, "chineseLegalSimplified", "叁"), (10, "chineseLegalSimplified", "壹拾"),
    (1, "ideographTraditional", "甲"), (10, "ideographTraditional", "癸"), (3, "ideographZodiac", "寅"),
    (1, "decimalEnclosedCircle", "①"), (20, "decimalEnclosedCircleChinese", "⑳"), (21, "decimalEnclosedCircle", "㉑"),
    (2, "decimalEnclosedParen", "⑵"), (3, "decimalFullWidth", "３"), (7, "decimalZero", "07"),
    (3, "lowerLetter", "c"), (27, "upperLetter", "AA"), (9, "lowerRoman", "ix"), (14, "upperRoman", "XIV"),
    (5, "decimal", "5"), (5, "bullet", ""), (5, "somethingNew", "5"),
])
def test_numbering_formats(n, fmt, expected):
    assert docx_reader.format_number(n, fmt) == expected


# --------------------------------------------------------------------------------------------------------------
# DOC, WPS (LibreOffice), formats without a reader
# --------------------------------------------------------------------------------------------------------------

def test_a_doc_or_wps_without_libreoffice_is_skipped_saying_what_to_install(tmp_path, no_libreoffice):
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    (tmp_path / "wps.wps").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    before = sorted(p.name for p in tmp_path.iterdir())
    account = by_file(pt.load_corpus(tmp_path))
    for name in ("old.doc", "wps.wps"):
        assert account.loc[name, "status"] == "skipped" and account.loc[name, "reason"] == "needs LibreOffice"
        assert "install LibreOffice" in account.loc[name, "detail"] and "DOCX" in account.loc[name, "detail"]
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written beside the documents


@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                    reason="LibreOffice (soffice) is not installed")
def test_a_doc_is_converted_by_libreoffice_in_a_temporary_folder(tmp_path):
    import subprocess

    (tmp_path / "make").mkdir()
    source = write_docx(tmp_path / "make" / "plan.docx")
    subprocess.run([office.soffice(), "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--convert-to", "doc", "--outdir", str(tmp_path / "corpus"), str(source)],
                   check=True, capture_output=True, timeout=300)
    corpus = tmp_path / "corpus"
    data = (corpus / "plan.doc").read_bytes()
    docs = pt.load_corpus(corpus)
    row = by_file(docs).loc["plan.doc"]
    assert row["status"] == "loaded" and row["reader"].startswith("LibreOffice ")
    text = docs["text"].iloc[0]
    for line in ("一、总体要求", "（一）发展目标", "1.到2025年，数字经济核心产业增加值占比达到10%。", "指标\t2020年\t2025年"):
        assert line in text
    assert sorted(p.name for p in corpus.iterdir()) == ["plan.doc"] and (corpus / "plan.doc").read_bytes() == data


def test_a_folder_of_every_kind_is_read_or_accounted_for_and_never_changed(tmp_path, no_libreoffice):
    (tmp_path / "a.txt").write_text("湖北省加快推进工业互联网创新发展。", encoding="gbk")
    write_pdf(tmp_path / "notice.pdf")
    write_scanned_pdf(tmp_path / "scan.pdf")
    write_docx(tmp_path / "plan.docx")
    (tmp_path / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    (tmp_path / "e.ofd").write_bytes(b"PK\x03\x04")
    (tmp_path / "page.html").write_text("<html><head><title>通知</title></head><body><p>正文。</p></body></html>",
                                        encoding="utf-8")
    (tmp_path / "README.md").write_text("about", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    docs = pt.load_corpus(tmp_path)
    account = by_file(docs)
    html = ".html" in loading.readable_suffixes()  # policytext.io.html, where it is installed
    assert set(docs["doc_id"]) - {"page"} == {"a", "notice", "plan"}
    assert set(account.index) == set(before)
    status = account[["status", "reason"]].apply(tuple, axis=1).to_dict()
    assert {k: v for k, v in status.items() if k != "page.html"} == {
        "a.txt": ("loaded", ""), "notice.pdf": ("loaded", ""), "plan.docx": ("loaded", ""),
        "scan.pdf": ("skipped", "scanned PDF"), "old.doc": ("skipped", "needs LibreOffice"),
        "e.ofd": ("skipped", "unsupported format"), "README.md": ("not read", "not a text file")}
    if html:  # read by the HTML reader, or skipped by it with its reason
        assert status["page.html"] == ("loaded", "") or status["page.html"][0] == "skipped"
        assert (status["page.html"] == ("loaded", "")) == ("page" in set(docs["doc_id"]))
    else:
        assert status["page.html"] == ("skipped", "unsupported format")
    assert account.loc["a.txt", "reader"] == "text" and account.loc["a.txt", "encoding"] == "gb18030"
    assert account.loc["a.txt", "removed"] == "" and account.loc["README.md", "reader"] == ""
    assert "export it as PDF" in account.loc["e.ofd", "detail"]
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # nothing changed, nothing added


def test_the_new_reasons_are_reasons_of_the_account():
    assert {"scanned PDF", "needs LibreOffice", "not matching pattern"} <= set(pt.SKIP_REASONS)


# --------------------------------------------------------------------------------------------------------------
# The pattern
# --------------------------------------------------------------------------------------------------------------

def test_the_earlier_default_pattern_reads_the_texts_only_and_says_what_it_left_out(tmp_path, caplog):
    (tmp_path / "a.txt").write_text("甲文。", encoding="utf-8")
    write_pdf(tmp_path / "notice.pdf")
    (tmp_path / "e.ofd").write_bytes(b"PK")
    with caplog.at_level(logging.WARNING, logger="policytext.io.loading"):
        docs = pt.load_corpus(tmp_path, pattern="*.txt")
    assert docs["doc_id"].tolist() == ["a"]
    account = by_file(docs)
    assert tuple(account.loc["notice.pdf", ["status", "reason"]]) == ("not read", "not matching pattern")
    assert tuple(account.loc["e.ofd", ["status", "reason"]]) == ("skipped", "unsupported format")
    assert "left out by pattern='*.txt'" in caplog.text
    # a pattern may name any files: those without a reader are read as plain text
    (tmp_path / "b.md").write_text("乙文。", encoding="utf-8")
    assert pt.load_corpus(tmp_path, pattern="*.md")["text"].tolist() == ["乙文。"]
    assert pt.load_corpus(tmp_path, pattern="*.pdf")["text"].tolist() == [PDF_TEXT]


# --------------------------------------------------------------------------------------------------------------
# Metadata: documents named in a table, Chinese column names, metadata from the file
# --------------------------------------------------------------------------------------------------------------

def test_a_metadata_table_names_pdf_and_docx_files_and_its_chinese_columns_are_renamed(tmp_path):
    write_pdf(tmp_path / "notice.pdf")
    write_docx(tmp_path / "plan.docx")
    (tmp_path / "metadata.csv").write_text(
        "文件名,标题,发文机关,文号,发布日期,成文日期,效力级别,备注\n"
        "notice.pdf,关于推进数字经济高质量发展的实施意见,某某市人民政府办公室,某政办发〔2021〕3号,2021-03-25,"
        "2021-03-20,地方规范性文件,甲\n"
        "plan.docx,关于推进数字经济发展的实施意见,某某市发展改革委,某发改〔2022〕1号,2022-01-10,,部门规范性文件,乙\n",
        encoding="utf-8")
    docs = pt.load_corpus(tmp_path)
    assert docs.columns.tolist() == ["doc_id", "file", "title", "issuer", "doc_number", "date", "成文日期",
                                     "level_of_authority", "备注", "text", "encoding"]
    assert docs["doc_id"].tolist() == ["notice", "plan"] and docs["text"].tolist() == [PDF_TEXT, "\n".join(DOCX_LINES)]
    assert docs["doc_number"].tolist() == ["某政办发〔2021〕3号", "某发改〔2022〕1号"]
    changes = pt.metadata_changes(docs)
    renamed = changes[changes["change"] == "column renamed"]
    assert renamed[["column", "before"]].values.tolist() == [
        ["file", "文件名"], ["title", "标题"], ["issuer", "发文机关"], ["doc_number", "文号"], ["date", "发布日期"],
        ["level_of_authority", "效力级别"]]
    assert renamed["row"].isna().all()
    # your own names are added to the shipped ones, and win; a name mapped to itself is kept
    docs = pt.load_corpus(tmp_path, column_names={"备注": "note_zh", "标题": "标题", "成文日期": "date_written"})
    assert {"note_zh", "标题", "date_written", "date"} <= set(docs.columns) and "title" not in docs.columns
    names = tmp_path / "names.csv"
    names.write_text("name,column\n备注,remark\n", encoding="utf-8")
    assert "remark" in pt.load_corpus(tmp_path, column_names=names).columns


def test_the_kit_s_name_already_present_keeps_the_chinese_column_as_it_is(tmp_path):
    (tmp_path / "a.txt").write_text("甲文。", encoding="utf-8")
    (tmp_path / "metadata.csv").write_text("file,title,标题\na.txt,甲,乙\n", encoding="utf-8")
    docs = pt.load_corpus(tmp_path)
    assert docs[["title", "标题"]].values.tolist() == [["甲", "乙"]]
    assert (pt.metadata_changes(docs)["change"] != "column renamed").all()


def test_metadata_from_the_file_fills_only_what_the_table_leaves_empty(tmp_path, monkeypatch):
    def read(path, *, data=None):
        return Read("正文。", "fake 1.0", metadata={"title": f"{path.stem}的标题", "date": "2024-05-01"})

    monkeypatch.setattr(docx_reader, "read", read)
    for name in ("a", "b"):
        (tmp_path / f"{name}.docx").write_bytes(b"PK")
    (tmp_path / "metadata.csv").write_text("file,title\na.docx,表中的标题\nb.docx,\n", encoding="utf-8")
    docs = pt.load_corpus(tmp_path)
    assert docs[["title", "date"]].values.tolist() == [["表中的标题", "2024-05-01"], ["b的标题", "2024-05-01"]]
    changes = pt.metadata_changes(docs)
    assert changes[["row", "column", "after", "change"]].values.tolist() == [
        [2, "date", "2024-05-01", "from the file"], [3, "title", "b的标题", "from the file"],
        [3, "date", "2024-05-01", "from the file"]]
    account = by_file(docs)
    assert account.loc["a.docx", "detail"] == "metadata from the file: date"
    assert account.loc["b.docx", "detail"] == "metadata from the file: title, date"
    # without a metadata table the file's metadata become columns
    (tmp_path / "metadata.csv").unlink()
    docs = pt.load_corpus(tmp_path)
    assert docs[["doc_id", "title", "date"]].values.tolist() == [["a", "a的标题", "2024-05-01"],
                                                                ["b", "b的标题", "2024-05-01"]]


def test_the_metadata_option_of_the_pipeline_and_the_command_line(tmp_path, capsys):
    from policytext import cli
    from policytext.report import build, sections
    from policytext.report.config import ReportConfig

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    texts = ["湖北省加快推进工业互联网创新发展，打造数字经济发展高地。", "山东省推进数据要素市场化配置改革，建设数字政府。"]
    for i, text in enumerate(texts):
        (corpus / f"d{i}.txt").write_text(text * 5, encoding="utf-8")
    meta = tmp_path / "meta.csv"
    meta.write_text("file,省份\nd0.txt,湖北省\nd1.txt,山东省\n", encoding="utf-8")
    assert cli.main(["summary", str(corpus), "--metadata", str(meta), "--no-cache", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "2 documents loaded" in out and "湖北省" in out and "per province" in out
    # the report's cache key holds the table's content, not its path
    reuse = next(s for s in sections.SECTIONS if s.name == "reuse")

    def key(path):
        config = ReportConfig(metadata=path, cache=False)
        return build._SectionStore.key(reuse, build.pipeline_for(corpus, config), config)

    copy = tmp_path / "elsewhere.csv"
    copy.write_bytes(meta.read_bytes())
    changed = tmp_path / "changed.csv"
    changed.write_text("file,省份\nd0.txt,湖北省\nd1.txt,湖北省\n", encoding="utf-8")
    assert key(meta) == key(copy) != key(changed)
