"""Document numbers (发文字号), dates written the Chinese way, and the metadata in a document's header.

A Chinese official document carries a number such as ``鄂政发〔2021〕12号``: an
issuer code (``鄂政发``: 湖北省人民政府, 发 = a document it issues), the year in
brackets and a serial number. Regulations are promulgated by a decree number
instead (``国务院令第590号``, written ``第590号令`` in running text). The
issuer code often starts with the one-character abbreviation of a province
(鄂 = 湖北省); which prefixes name which province is the data file
``data/metadata/province_abbreviations.csv``, which says, too, what is *not* a
province (国发 and 中发 are national, 财税 a ministry, 杭政 a city, 宁 is shared
by 宁夏 and 南京) and can be extended with a file of your own.

:func:`parse_document_number` and :func:`parse_date` read one string;
:func:`parse_document_numbers` and :func:`parse_dates` a column of metadata.
:func:`header_metadata` finds a document's own number, issuer and date in its
text (the 发文字号 line, the 落款 signature and date, labelled fields) and says
where it found each; it leaves out what it cannot find rather than guess (a
date in the body, ``到2025年``, is not the document's date).
"""

from __future__ import annotations

import csv
import datetime
import functools
import logging
import re
from pathlib import Path
from typing import Iterable, NamedTuple

import pandas as pd

from policytext.errors import CorpusError
from policytext.io.data_files import data_path
from policytext.io.resources import text_lines

__all__ = [
    "DocumentNumber",
    "parse_document_number",
    "parse_document_numbers",
    "read_province_abbreviations",
    "parse_date",
    "parse_dates",
    "header_metadata",
    "header_metadata_table",
]

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# Characters
# ---------------------------------------------------------------------------------------------

_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: Full-width digits and spaces, read as ASCII ones.
_WIDE = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "\u3000": " ", "\xa0": " ",
                       "／": "/", "－": "-", "．": ".", "：": ":"})
#: Any character :data:`_WIDE` changes: a line without one is not translated (translate is slow on long lines).
_WIDE_ANY = re.compile("[\uff10-\uff19\u3000\xa0／－．：]")
_OPEN = "〔【\\[［(（〈〖﹝<"
_CLOSE = "〕】\\]］)）〉〗﹞>"
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "o": 0, "Ο": 0, "Ｏ": 0, "ｏ": 0, "0": 0,
              "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMBER = "〇○零一二三四五六七八九十廿卅百"

# A year in brackets, then the serial: 〔2021〕12号, [2021]第12号, （2021）12 …
_BRACKETED = re.compile(
    rf"[{_OPEN}]\s*(?P<year>(?:19|20)\d\d)\s*[{_CLOSE}]\s*(?:第\s*)?(?P<serial>\d{{1,5}})(?!\d)\s*(?P<hao>[号號])?")
# A decree: 令第590号, 令（第590号）, or 第590号令 / 第十二号令.
_DECREE = re.compile(
    rf"令\s*[(（]?\s*第\s*(?P<serial>\d{{1,5}}|[{_CN_NUMBER}]{{1,6}})\s*[号號]"
    rf"|第\s*(?P<serial2>\d{{1,5}}|[{_CN_NUMBER}]{{1,6}})\s*[号號]\s*令")
# An announcement: 国家税务总局公告2018年第31号, 杭州市人民代表大会常务委员会公告第23号.
_NOTICE = re.compile(r"公告\s*(?:(?P<year>(?:19|20)\d\d)\s*年\s*)?第\s*(?P<serial>\d{1,5})\s*[号號]")
#: Words that end the text before an issuer code (where the code is cited in a sentence).
_LEAD_INS = ("根据", "依据", "按照", "遵照", "参照", "对照", "依照", "按", "落实", "贯彻", "执行", "印发",
             "转发", "发布", "公布", "颁布", "修订", "修改", "修正", "废止", "抢抓", "聚焦", "深挖", "用好", "对接",
             "文件", "精神", "通知", "的", "是", "即", "见", "了")
#: An organ name written before a bracketed number's code (市人民政府京政发〔1985〕167号): a code never contains these.
_ORGAN_BEFORE_CODE = ("人民政府", "政府", "办公厅", "国务院", "委员会")
_MAX_CODE = 12
_MAX_DECREE_CODE = 60


class DocumentNumber(NamedTuple):
    """The parts of a document number; ``None`` for each part that is not there.

    ``doc_number`` is the number normalised: ``〔〕`` around the year, ASCII
    digits, the serial without leading zeros, and ``…令第N号`` for a decree
    however it was written; ``year`` and ``serial`` are integers.
    """

    doc_number: str | None
    issuer_code: str | None
    year: int | None
    serial: int | None
    province: str | None


_EMPTY = DocumentNumber(None, None, None, None, None)


def _chinese_number(text: str) -> int | None:
    """12 for ``十二``, 25 for ``二十五``, 105 for ``一百零五``, 2021 for ``二〇二一`` (digit by digit)."""
    if not text:
        return None
    if all(c in _CN_DIGITS for c in text):
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    total, digit = 0, None
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char in "十廿卅百":
            unit = {"十": 10, "廿": 20, "卅": 30, "百": 100}[char]
            if char in "廿卅":
                total += unit
            else:
                total += (1 if digit is None else digit) * unit
            digit = None
        else:
            return None
    return total + (digit or 0)


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else _chinese_number(text)


def _issuer_run(text: str, end: int, max_len: int) -> tuple[int, int]:
    """Where the characters of an issuer code just before ``end`` are: CJK, 、 and single spaces between.

    A date's 年/月/日 at the start (``1990年7月6日山东省人民政府第7号令``) is left out."""
    stop = end
    while stop > 0 and text[stop - 1] == " ":
        stop -= 1
    start = stop
    while start > 0 and stop - start < max_len + 10:
        char = text[start - 1]
        if re.match(rf"[{_HAN}、]", char) or (char == " " and start >= 2 and start < stop
                                               and re.match(rf"[{_HAN}]", text[start - 2])):
            start -= 1
        else:
            break
    while start < stop and (text[start] == " " or (text[start] in "年月日号" and start > 0
                                                   and (text[start - 1].isdigit() or text[start - 1] in _CN_NUMBER))):
        start += 1
    return start, stop


def _trim_code(run: str, *, decree: bool) -> str:
    """Cut off what comes before the code: a lead-in verb (落实国发 …), an organ name, 原 (former)."""
    if " " in run:
        # A space before the code separates it from what precedes (1997年4月10日 海关总署);
        # a space inside a short code is a PDF line break (武政 规).
        head, _, tail = run.rpartition(" ")
        run = tail if len(head.replace(" ", "")) > 3 or any(run.startswith(w) for w in _LEAD_INS) \
            else run.replace(" ", "")
    cut = 0
    for word in _LEAD_INS:
        at = run.rfind(word)
        if at >= 0:
            cut = max(cut, at + len(word))
    if not decree:
        for organ in _ORGAN_BEFORE_CODE:
            at = run.rfind(organ)
            if at >= 0 and at + len(organ) < len(run):
                cut = max(cut, at + len(organ))
    run = run[cut:].lstrip("、和及与或并 ")
    if run.startswith("原") and len(run) > 3:
        run = run[1:]
    limit = _MAX_DECREE_CODE if decree else _MAX_CODE
    return run if len(run) <= limit else ""


def _suffix_start(text: str, stop: int, code: str) -> int:
    """Where ``code`` (spaces removed) starts as the end of ``text[:stop]`` (spaces kept)."""
    i, count = stop, 0
    while i > 0 and count < len(code):
        i -= 1
        if text[i] != " ":
            count += 1
    return i


def _find_number(text: str, abbreviations) -> tuple[DocumentNumber, tuple[int, int]] | None:
    """The first document number in ``text`` (already widened) and the span it covers."""
    found = []
    for match in _BRACKETED.finditer(text):
        if not match.group("hao"):
            after = text[match.end():match.end() + 1]
            if after and re.match(rf"[{_HAN}A-Za-z0-9%.]", after):
                continue  # （2022）10个 …: a number without 号 must end there
        start, stop = _issuer_run(text, match.start(), _MAX_CODE)
        code = _trim_code(text[start:stop], decree=False) or None
        begin = _suffix_start(text, stop, code) if code else match.start()
        found.append((begin, match.end(), code, int(match.group("year")), int(match.group("serial"))))
        break
    for match in _DECREE.finditer(text):
        serial = _number(match.group("serial") or match.group("serial2"))
        if serial is None:
            continue
        start, stop = _issuer_run(text, match.start(), _MAX_DECREE_CODE)
        code = _trim_code(text[start:stop], decree=True)
        if not code:
            continue
        found.append((_suffix_start(text, stop, code), match.end(), code + "令", None, serial))
        break
    for match in _NOTICE.finditer(text):
        start, stop = _issuer_run(text, match.start(), _MAX_DECREE_CODE)
        code = _trim_code(text[start:stop], decree=True)
        if not code:
            continue
        year = int(match.group("year")) if match.group("year") else None
        found.append((_suffix_start(text, stop, code), match.end(), code + "公告", year, int(match.group("serial"))))
        break
    if not found:
        return None
    start, end, code, year, serial = min(found, key=lambda f: f[0])
    if code and code.endswith("公告"):
        number = f"{code}{year}年第{serial}号" if year else f"{code}第{serial}号"
    elif year is not None:
        number = f"{code or ''}〔{year}〕{serial}号"
    else:
        number = f"{code}第{serial}号"
    province = _province(code, abbreviations) if code else None
    return DocumentNumber(number, code, year, serial, province), (start, end)


# ---------------------------------------------------------------------------------------------
# Province abbreviations
# ---------------------------------------------------------------------------------------------

def read_province_abbreviations(file_path: str | Path | None = None) -> pd.DataFrame:
    """Read a table of issuer-code prefixes and the provinces they name: the shipped one or your own.

    The file is a CSV with the columns ``abbreviation, province, note``
    (``#`` starts a comment line). An empty ``province`` means the prefix names
    no province (国 for 国发, 市 for 市政府, 宁 shared by 宁夏 and 南京); the
    shipped file ``data/metadata/province_abbreviations.csv`` explains its
    choices in its header and ``note`` column. Errors name the file and line.

    Examples
    --------
    >>> table = read_province_abbreviations()
    >>> table.loc[table["abbreviation"].isin(["鄂", "内蒙古", "国"]), ["abbreviation", "province"]].values.tolist()
    [['鄂', '湖北省'], ['内蒙古', '内蒙古自治区'], ['国', '']]
    """
    file_path = Path(file_path) if file_path is not None else data_path("metadata", "province_abbreviations.csv")
    rows, header = [], None
    for number, line in text_lines(file_path):
        cells = next(csv.reader([line]))
        if header is None:
            header = [c.strip() for c in cells]
            if header[:2] != ["abbreviation", "province"]:
                raise CorpusError(f"{file_path}, line {number}: expected the header 'abbreviation,province,note', "
                                  f"got {line!r}")
            continue
        if len(cells) > len(header) or not cells[0].strip():
            raise CorpusError(f"{file_path}, line {number}: expected 'abbreviation,province,note', got {line!r}")
        cells = [c.strip() for c in cells] + [""] * (len(header) - len(cells))
        if not re.fullmatch(rf"[{_HAN}]+", cells[0]):
            raise CorpusError(f"{file_path}, line {number}: the abbreviation {cells[0]!r} is not Chinese characters")
        rows.append(dict(zip(header, cells)))
    if header is None:
        raise CorpusError(f"{file_path}: no header line")
    table = pd.DataFrame(rows, columns=header)
    if "note" not in table:
        table["note"] = ""
    return table[["abbreviation", "province", "note"]]


@functools.lru_cache(maxsize=8)
def _prefixes_cached(key: tuple) -> tuple[tuple[str, str], ...]:
    mapping: dict[str, str] = {}
    for path, _mtime in key:
        table = read_province_abbreviations(path)
        mapping.update(zip(table["abbreviation"], table["province"]))
    return tuple(sorted(mapping.items(), key=lambda item: -len(item[0])))


def _prefixes(abbreviations) -> tuple[tuple[str, str], ...]:
    """Prefix -> province (``""`` for none), longest first: the shipped table, then the user's file."""
    paths = [data_path("metadata", "province_abbreviations.csv")]
    if abbreviations is not None:
        paths.append(Path(abbreviations))
    key = []
    for path in paths:
        try:
            key.append((str(path), Path(path).stat().st_mtime_ns))
        except FileNotFoundError:
            raise CorpusError(f"{path}: file not found") from None
    return _prefixes_cached(tuple(key))


def _province(code: str, abbreviations) -> str | None:
    for prefix, province in _prefixes(abbreviations):
        if code.startswith(prefix):
            return province or None
    return None


# ---------------------------------------------------------------------------------------------
# Document numbers
# ---------------------------------------------------------------------------------------------

def _check_text(text, what: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"{what} expects a string, got {text!r} ({type(text).__name__})")
    return text


def parse_document_number(text: str, *, abbreviations: str | Path | None = None) -> DocumentNumber:
    """The first document number (发文字号) in ``text``, in parts.

    Accepts the brackets 〔〕 【】 [] ［］ () （） 〈〉 around the year, full-width
    digits, spaces, ``第12号`` and a missing ``号``; decree numbers
    (``国务院令第590号``, ``北京市人民政府第12号令``, ``第十二号令``) and announcement numbers
    (``国家税务总局公告2018年第31号``, ``…常务委员会公告第23号``). Words before the code
    in a sentence (``深入落实国发〔2022〕2号``) are cut off. The province is the one the
    code's longest matching prefix names in the abbreviation table (see
    :func:`read_province_abbreviations`): ``鄂`` gives 湖北省, ``内蒙古`` 内蒙古自治区,
    a full name (``山东省人民政府令``) its province; national, ministry and city codes
    (国发, 财税, 杭政) and ambiguous characters (宁, 青) give ``None``.

    Parameters
    ----------
    text : str
        A 文号 cell, a header line, or a sentence that cites a document.
    abbreviations : path, optional
        A CSV of your own (``abbreviation,province,note``) whose rows are added to
        the shipped table and win over it.

    Returns
    -------
    DocumentNumber
        ``doc_number, issuer_code, year, serial, province``; all ``None`` when the
        text has no document number.

    Raises
    ------
    TypeError
        If ``text`` is not a string.

    Examples
    --------
    >>> parse_document_number("鄂政发〔2021〕12号")
    DocumentNumber(doc_number='鄂政发〔2021〕12号', issuer_code='鄂政发', year=2021, serial=12, province='湖北省')
    >>> parse_document_number("内蒙古政办发[２０２１] 第3号").doc_number
    '内蒙古政办发〔2021〕3号'
    >>> parse_document_number("国发（2015）40").province is None
    True
    >>> parse_document_number("2011年1月21日 中华人民共和国国务院令第590号公布")[:2]
    ('中华人民共和国国务院令第590号', '中华人民共和国国务院令')
    >>> parse_document_number("地址：青年路560号")
    DocumentNumber(doc_number=None, issuer_code=None, year=None, serial=None, province=None)
    """
    text = _check_text(text, "parse_document_number").translate(_WIDE)
    found = _find_number(text, abbreviations)
    return found[0] if found else _EMPTY


def _values(values, what: str) -> tuple[list, pd.Index]:
    """The values of a Series or list, missing ones as None; TypeError for other non-strings."""
    index = values.index if isinstance(values, pd.Series) else pd.RangeIndex(len(values))
    out = []
    for position, value in enumerate(list(values)):
        if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
            out.append(None)
        elif isinstance(value, str):
            out.append(value)
        else:
            raise TypeError(f"{what} expects strings (or missing values), got {value!r} "
                            f"({type(value).__name__}) at position {position} (index {index[position]!r})")
    return out, index


def parse_document_numbers(values: Iterable[str], *, abbreviations: str | Path | None = None) -> pd.DataFrame:
    """:func:`parse_document_number` of each value: a table with one row per input, for metadata columns.

    Missing values (None, NaN, NA) and strings without a document number give a
    row of NA; any other non-string is a TypeError naming it and its position.
    A Series keeps its index.

    Returns
    -------
    DataFrame
        ``doc_number, issuer_code, province`` (string) and ``year, serial`` (Int64).

    Examples
    --------
    >>> parse_document_numbers(["黔府发〔2022〕7号", "无", None])
              doc_number issuer_code  year  serial province
    0  黔府发〔2022〕7号         黔府发  2022       7      贵州省
    1           <NA>        <NA>  <NA>    <NA>     <NA>
    2           <NA>        <NA>  <NA>    <NA>     <NA>
    """
    texts, index = _values(values, "parse_document_numbers")
    rows = [parse_document_number(t, abbreviations=abbreviations) if t is not None else _EMPTY for t in texts]
    columns = DocumentNumber._fields
    table = pd.DataFrame({name: [getattr(r, name) for r in rows] for name in columns}, index=index)
    for name in columns:
        table[name] = table[name].astype("Int64" if name in ("year", "serial") else "string")
    return table[["doc_number", "issuer_code", "year", "serial", "province"]]


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

_CN_ZERO = "〇○零OoΟＯｏ0"
_DATE_PATTERNS = (
    # 2021年3月25日, 2021 年 03 月, 2021年3月25号
    re.compile(r"(?<!\d)(?P<y>(?:1[89]|2[01])\d\d)\s*年\s*(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*[日号號](?!令))?"),
    # 二〇二一年三月二十五日, 二○二一年三月, 元月
    re.compile(rf"(?P<y>[一二][{_CN_ZERO}一二三四五六七八九]{{3}})\s*年\s*(?P<m>十[一二]?|[一二三四五六七八九]|元)\s*月"
               rf"(?:\s*(?P<d>[一二三四五六七八九十廿卅]{{1,3}})\s*[日号])?"),
    # 2021-03-25, 2021/3/25, 2021.3.25
    re.compile(r"(?<![\d.])(?P<y>(?:1[89]|2[01])\d\d)(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d])"),
    # 2021-03, 2021/03 (two-digit month, not part of a range such as 2021-2023)
    re.compile(r"(?<![\d./-])(?P<y>(?:1[89]|2[01])\d\d)[-/](?P<m>0[1-9]|1[0-2])(?![\d./-]|\s*年)"),
)


def _date_match(text: str):
    """The first date-shaped match in ``text`` (widened), or None."""
    best = None
    for pattern in _DATE_PATTERNS:
        match = pattern.search(text)
        if match and (best is None or match.start() < best.start()):
            best = match
    return best


def _all_dates(text: str) -> list[str]:
    """Every date in ``text`` as ISO text (impossible ones left out)."""
    widened = text.translate(_WIDE)
    out = []
    for pattern in _DATE_PATTERNS:
        out.extend(iso for iso in (_iso(m, text) for m in pattern.finditer(widened)) if iso)
    return out


def _iso(match, text: str) -> str | None:
    year = _number(match.group("y"))
    month_text = match.group("m")
    month = 1 if month_text == "元" else _number(month_text)
    day_text = match.groupdict().get("d")
    day = _number(day_text) if day_text else None
    try:
        datetime.date(year, month, day or 1)
    except (ValueError, TypeError):
        logger.warning("%r: %s is not a date (year %s, month %s, day %s)", text, match.group(0), year, month, day)
        return None
    return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as ISO text: ``YYYY-MM-DD``, or ``YYYY-MM`` when no day is written.

    Reads ``2021年3月25日``, ``二〇二一年三月二十五日`` (〇, ○, 零 or the letter O as
    zero), ``2021.3.25``, ``2021-03-25``, ``2021/3/25``, ``2021年3月``, ``2021-03`` and
    full-width digits. A year alone (``2025年``), a month and day without a year,
    and a range (``2021-2023年``) are not dates: ``None``. An impossible date
    (``2021年2月30日``) gives ``None`` and a logged warning, not an exception.

    Raises
    ------
    TypeError
        If ``text`` is not a string.

    Examples
    --------
    >>> parse_date("2021年3月25日"), parse_date("二〇二一年三月二十五日"), parse_date("二○二一年三月")
    ('2021-03-25', '2021-03-25', '2021-03')
    >>> parse_date("２０２１.３.２５"), parse_date("到2025年"), parse_date("2021年2月30日")
    ('2021-03-25', None, None)
    """
    text = _check_text(text, "parse_date")
    widened = text.translate(_WIDE)
    match = _date_match(widened)
    return _iso(match, text) if match else None


def parse_dates(values: Iterable[str]) -> pd.Series:
    """:func:`parse_date` of each value: a string Series of ISO dates, NA where there is none.

    Missing values give NA; other non-strings are a TypeError naming the value. A
    Series keeps its index.

    Examples
    --------
    >>> parse_dates(["2021年3月25日", "2021/3/5", None, "无"]).tolist()
    ['2021-03-25', '2021-03-05', <NA>, <NA>]
    """
    texts, index = _values(values, "parse_dates")
    name = values.name if isinstance(values, pd.Series) else None
    return pd.Series([parse_date(t) if t is not None else None for t in texts], index=index, dtype="string", name=name)


# ---------------------------------------------------------------------------------------------
# Header metadata
# ---------------------------------------------------------------------------------------------

#: Traditional characters of the field labels, read as Simplified (one for one, so positions stay).
_LABEL_CHARS = str.maketrans("發號機關單來時構佈簽頒製於稱題類閱", "发号机关单来时构布签颁制于称题类阅")
_LABEL_ANY = re.compile("[發號機關單來時構佈簽頒製於稱題類閱]")


def _labels_simplified(line: str) -> str:
    return line.translate(_LABEL_CHARS) if _LABEL_ANY.search(line) else line
_PINYIN = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňḿ]{1,7}\)")
_FIELDS = {
    "doc_number": ("发文字号", "文件编号", "发文编号", "文号", "字号"),
    "issuer": ("发文机关", "发文机构", "发文单位", "发布机关", "发布机构", "发布单位", "制发机关", "颁布机关",
               "来源"),
    "date": ("成文日期", "发文日期", "印发日期", "签发日期", "发布日期", "公布日期", "发布时间", "日期", "时间"),
}
#: Rank of each date field: a document's own date before its publication date before a bare 日期/时间.
_DATE_FIELD_RANK = {"成文日期": 0, "发文日期": 0, "印发日期": 0, "签发日期": 0, "发布日期": 1, "公布日期": 1,
                    "发布时间": 1, "日期": 2, "时间": 2}
_LABELS = sorted({label for labels in _FIELDS.values() for label in labels}, key=len, reverse=True)
_FIELD = re.compile(r"(?<![" + _HAN + r"])(?P<label>" + "|".join(r"\s*".join(label) for label in _LABELS)
                    + r")\s*[:：]\s*")
_ORGAN = re.compile(r"(人民政府|政府|办公厅|办公室|委员会|常委会|工作委员会|领导小组|党委|党组|委|厅|局|部|院|署|"
                    r"总局|中心|银行|集团|公司|联合会|协会|法院|检察院|管委会|委员会办公室|军区|司|处|军委|中央)$")
_NO_VALUE = {"", "无", "無", "-", "—", "/", "空", "暂无", "暫無"}
_HISTORY_ACTS = "通过|公布|发布|颁布|批准|修订|修正|修改|施行|發布|頒布|通過"
_HISTORY = re.compile(rf"^[（(]?\s*(?P<date>\S{{6,16}}?[日])\s*(?P<rest>.*?)\s*(?:第[一二三四五六七八九十]+次)?"
                      rf"(?P<act>{_HISTORY_ACTS})[)）》]?\s*(?:自\S*施行)?\s*(?:根据)?\s*$")
_DATED = re.compile(r"^[（(]?\s*(?:(?:1[89]|2[01])\d\d|[一二][〇○零一二三四五六七八九]{3})\s*年")
_MEETING = re.compile(r"^(?P<a>.*?)(?:第?[一二三四五六七八九十百〇零\d]+届)?(?P<b>[^第《届]*?)第[一二三四五六七八九十百〇零\d]+次"
                      r"(?:常务|全体)?(?:会议|常务会议)")
_HISTORY_LINES = 40
_BODY_START = re.compile(r"^(第[一二三四五六七八九十百]+[章条节](?:\s|$)|[一二三四五六七八九十]+、)")


def _clean_line(line: str) -> str:
    """A line without pinyin annotations (``發(fā)``), with ASCII digits and spaces."""
    line = _PINYIN.sub("", line) if "(" in line else line
    return (line.translate(_WIDE) if _WIDE_ANY.search(line) else line).strip()


def _is_organ(text: str) -> bool:
    plain = text.translate(_LABEL_CHARS).replace("經", "经").replace("濟", "济").replace("會", "会") \
        .replace("廳", "厅").replace("務", "务").replace("處", "处").replace("員", "员")
    return (2 <= len(text) <= 40 and _ORGAN.search(plain) is not None
            and not re.search(r"[，。；！？,.;!?:：《》“”\"\d]", text)
            and not re.search("转发|印发|关于|感谢|支持|负责|编辑", plain))


def _fields(lines) -> list[tuple[str, str, str, int]]:
    """(kind, label, value, line number) of the labelled fields in ``lines``."""
    out = []
    for number, line in lines:
        plain = _labels_simplified(line)
        matches = list(_FIELD.finditer(plain))
        for i, match in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
            value = line[match.end():end].strip()
            label = re.sub(r"\s+", "", match.group("label"))
            kind = next(k for k, labels in _FIELDS.items() if label in labels)
            value = re.split(r"\s+\S{1,8}\s*[:：]", value)[0].strip()  # the next field, not one of ours
            out.append((kind, label, value, number))
    return out


def header_metadata(text: str, *, head_lines: int = 15, tail_lines: int = 10,
                    abbreviations: str | Path | None = None) -> dict:
    """A document's own number, issuer and date, found in its text, each with where it was found.

    Where each is looked for, in order (the first that gives a value wins):

    - ``doc_number``: a labelled field in the first ``head_lines`` non-empty lines
      (``文号：``, ``发文字号：``); a line there that is only a document number (the
      发文字号 line under the red header); the promulgation line of a regulation
      (``2011年1月21日 中华人民共和国国务院令第590号公布``, the latest if several).
      A number cited in a sentence (``根据《…》（国发〔2022〕2号）``) is not the document's.
    - ``issuer``: a field (``发文机关：``, ``发布机构：``, ``发文单位：``; ``来源：`` only when its
      value is an organ's name, not a web site or news agency); the signature
      (落款) lines just before the closing date line in the last ``tail_lines``
      non-empty lines; the body that promulgated a regulation (its decree or
      announcement number without 令/公告) or adopted it (``…第十五届人民代表大会常务委员会第二十一次会议通过`` gives
      ``…人民代表大会常务委员会``); the title's ``X关于…`` when X is an organ's name.
    - ``date``: a field (``成文日期：`` before ``发布日期：`` before a bare ``日期：``/``时间：``);
      the latest dated adoption, promulgation, approval or amendment line at the
      top of a regulation (the latest date on it: ``…通过并经2021年5月27日…批准``; not its
      施行 line, an effective date); the closing date line
      (a line that is only a date) in the last ``tail_lines`` lines; a line that is
      only a date just under the title; the delivery line of a speech or work
      report (``——2024年1月16日在亳州市第五届人民代表大会第三次会议上``).

    Nothing in the body counts: a date such as ``到2025年`` or a deadline is not the
    document's date, so a text without these lines gives ``None``.

    Returns
    -------
    dict
        ``doc_number``, ``issuer``, ``date`` (ISO text) and ``doc_number_source``,
        ``issuer_source``, ``date_source`` (``"line 3: 文号 field"``,
        ``"line 40: closing date"`` …; ``None`` where nothing was found). Line
        numbers count every line of ``text`` from 1.

    Examples
    --------
    >>> text = "湖北省人民政府文件\\n鄂政发〔2021〕12号\\n\\n关于……的通知\\n……\\n湖北省人民政府\\n2021年3月25日"
    >>> meta = header_metadata(text)
    >>> meta["doc_number"], meta["doc_number_source"]
    ('鄂政发〔2021〕12号', 'line 2: document number line')
    >>> meta["issuer"], meta["date"], meta["date_source"]
    ('湖北省人民政府', '2021-03-25', 'line 7: closing date')
    >>> header_metadata("各位代表：\\n到2025年，全市……")["date"] is None
    True
    """
    text = _check_text(text, "header_metadata")
    raw = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    # only the lines the rules below look at are cleaned (with a margin for lines that clean to nothing)
    near = max(head_lines, _HISTORY_LINES) + 20, tail_lines + 20
    if len(raw) > sum(near):
        raw = raw[:near[0]] + raw[-near[1]:]
    lines = [(number, _clean_line(line)) for number, line in raw]
    lines = [(number, line) for number, line in lines if line]
    head = lines[:head_lines]
    # the lines above the body (第一章, 第一条, 一、): a regulation's dated history may run past head_lines
    window = lines[:max(head_lines, _HISTORY_LINES)]
    body_at = next((i for i, (_, line) in enumerate(window) if _BODY_START.match(line)), None)
    top = window[:body_at] if body_at is not None else head
    tail = lines[-tail_lines:]
    result = {"doc_number": None, "issuer": None, "date": None,
              "doc_number_source": None, "issuer_source": None, "date_source": None}

    def put(key, value, number, how):
        if result[key] is None and value:
            result[key], result[f"{key}_source"] = value, f"line {number}: {how}"

    # 1. labelled fields
    dates = []
    for kind, label, value, number in _fields(head):
        if value in _NO_VALUE:
            continue
        if kind == "doc_number":
            put("doc_number", parse_document_number(value, abbreviations=abbreviations).doc_number, number,
                f"{label} field")
        elif kind == "issuer":
            if label != "来源" or _is_organ(value):
                put("issuer", value, number, f"{label} field")
        else:
            iso = parse_date(value)
            if iso:
                dates.append((_DATE_FIELD_RANK[label], number, iso, label))
    if dates:
        _, number, iso, label = min(dates)
        put("date", iso, number, f"{label} field")

    # 2. a line of the header that is only a document number
    for number, line in top[:head_lines]:
        found = _find_number(line, abbreviations)
        if found:
            rest = line[:found[1][0]] + line[found[1][1]:]
            rest = re.sub(r"签发人\s*[:：].{0,6}$|[\s（()）〔〕【】\[\]]", "", rest)
            if not rest:
                put("doc_number", found[0].doc_number, number, "document number line")
                break

    # 3. the adoption / promulgation / amendment lines of a law or regulation
    history, records = [], []
    for number, line in top:  # a long dated line may go on over the next lines
        if _DATED.match(line):
            records.append((number, line))
        elif records and not _HISTORY.match(records[-1][1]):
            records[-1] = (records[-1][0], records[-1][1] + line)
    for number, line in records:
        match = _HISTORY.match(line)
        if match:
            iso = parse_date(match.group("date"))
            if iso and _date_match(match.group("date").translate(_WIDE)).start() == 0:
                # 通过并经2021年5月27日…批准: the latest date before the act is the version's
                iso = max([iso] + [d for d in _all_dates(line[:match.end("act")]) if len(d) == 10])
                history.append((iso, number, match.group("rest").strip(), match.group("act")))
    dated = [h for h in history if h[3] != "施行"]
    if dated:
        iso, number, _, act = max(dated, key=lambda h: (h[0], h[1]))
        put("date", iso, number, f"{act} line")
        with_number = [(h, _find_number(h[2], abbreviations)) for h in dated]
        with_number = [(h, f) for h, f in with_number if f]
        if with_number:
            (iso, number, _, act), found = max(with_number, key=lambda hf: (hf[0][0], hf[0][1]))
            put("doc_number", found[0].doc_number, number, f"{act} line")
        issuers = []
        for iso, number, rest, act in dated:
            if act == "批准":
                continue
            found = _find_number(rest, abbreviations)
            code = found[0].issuer_code if found else None
            if code and (code.endswith("令") or code.endswith("公告")):
                issuers.append((1 if act in ("公布", "发布", "颁布", "發布", "頒布") else 0, iso, number,
                                code[:-1] if code.endswith("令") else code[:-2], f"{act} line, promulgation number"))
                continue
            meeting = _MEETING.match(rest)
            if meeting and _is_organ(meeting.group("a") + meeting.group("b")):
                issuers.append((0, iso, number, meeting.group("a") + meeting.group("b"), f"{act} line, meeting"))
            elif _is_organ(rest):
                issuers.append((1 if act in ("公布", "发布", "颁布", "發布", "頒布") else 0, iso, number, rest,
                                f"{act} line"))
        if issuers:
            _, _, number, issuer, how = max(issuers)
            put("issuer", re.sub(r"第?[一二三四五六七八九十百]+届", "", issuer), number, how)  # 第十三届 …

    # 4. the signature and closing date
    for i in range(len(tail) - 1, -1, -1):
        number, line = tail[i]
        bare = re.sub(r"[\s（()）]", "", line)
        match = _date_match(bare.translate(_WIDE))
        if not match or match.start() != 0 or match.end() != len(bare):
            continue
        iso = parse_date(bare)
        if not iso:
            continue
        put("date", iso, number, "closing date")
        signers = []
        j = i - 1
        while j >= 0 and len(signers) < 4 and _is_organ(tail[j][1].replace(" ", "")):
            signers.insert(0, tail[j])
            j -= 1
        if signers:
            put("issuer", "、".join(line.replace(" ", "") for _, line in signers), signers[0][0], "signature")
        break

    # 5. a date line under the title, or the delivery line of a speech or report (——2024年1月16日在…会议上)
    for i, (number, line) in enumerate(head[1:6], start=1):
        bare = re.sub(r"[\s（()）]", "", line)
        match = _date_match(bare.translate(_WIDE))
        if not match:
            continue
        if i == 1 and match.start() == 0 and match.end() == len(bare):
            put("date", parse_date(bare), number, "date line under the title")
            break
        delivered = re.match(r"^[—–－-]{1,2}", bare)
        if delivered and match.start() == delivered.end() and bare[match.end():match.end() + 1] == "在":
            put("date", parse_date(bare), number, "delivery line")
            break

    # 6. the title: "X关于……"
    if result["issuer"] is None and head:
        number, title = head[0]
        match = re.match(r"^(?P<org>.{2,40}?)\s*(?:关于|關於|关於)", title)
        if match and _is_organ(match.group("org")):
            put("issuer", match.group("org"), number, "title")
    return result


def header_metadata_table(texts: Iterable[str], **options) -> pd.DataFrame:
    """:func:`header_metadata` of each text: a table with one row per text (a Series keeps its index).

    Columns ``doc_number, issuer, date`` and their ``*_source`` (string, NA where
    nothing was found). Missing texts give a row of NA. Options are those of
    :func:`header_metadata`.

    Examples
    --------
    >>> header_metadata_table(["国办发〔2020〕3号\\n正文", None])[["doc_number", "doc_number_source"]]
         doc_number          doc_number_source
    0  国办发〔2020〕3号  line 1: document number line
    1          <NA>                       <NA>
    """
    values, index = _values(texts, "header_metadata_table")
    columns = ["doc_number", "issuer", "date", "doc_number_source", "issuer_source", "date_source"]
    rows = [header_metadata(v, **options) if v is not None else dict.fromkeys(columns) for v in values]
    return pd.DataFrame(rows, index=index, columns=columns).astype("string")
