"""Decoding bytes of Chinese text: which encoding, and how sure.

Used by :mod:`policytext.loading` (corpora) and :mod:`policytext.resources`
(the package's data files). Reads no file itself.

Several encodings decode most byte strings without an error (every Big5 pair
is also a valid GB18030 pair), so the first encoding that does not fail is
not evidence. Each candidate decoding is scored by its *plausibility*: the
share of its characters that are typical of Chinese text (the 3,755 level-1
characters of GB2312, the 5,401 frequent characters of Big5, ASCII, CJK and
full-width punctuation; any other CJK ideograph counts one half). The correct
decoding of a policy text scores near 1; a wrong one scores far lower (Big5
read as GB18030 about 0.4) because its characters are rare ones, symbols or
private-use code points.
"""

from __future__ import annotations

import codecs
import functools
from dataclasses import dataclass

import numpy as np

#: Byte-order marks, longest first.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Encodings tried, in order of preference when they score the same.
CANDIDATES = (("utf-8", "utf-8"), ("gb18030", "gb18030"), ("cp950", "big5"))
#: UTF-16 without a byte-order mark, tried on bytes of even length.
UTF16 = (("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be"))
#: Below this plausibility a decoding is reported as doubtful.
LOW_PLAUSIBILITY = 0.8
#: Below this margin over the runner-up a choice is reported as doubtful.
LOW_MARGIN = 0.15

# Control bytes that never occur in text (tab, LF, VT, FF, CR and ESC excepted).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))
_SAMPLE_CHARS = 20000
_SAMPLE_BYTES = 65536
_PINYIN = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňĀÁǍÀĒÉĚÈĪÍǏÌŌÓǑÒŪÚǓÙǕǗǙǛÜ"


class DecodeFailure(Exception):
    """Bytes that are not text: ``reason`` is ``empty``, ``binary`` or ``undecodable``."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Decoded:
    """A decoded text, the encoding that gave it, and how sure the choice is.

    ``plausibility`` is the share of characters typical of Chinese text (see
    the module's docstring); ``confidence`` is the margin by which the chosen
    decoding beats the most plausible different decoding (1.0 when no other
    encoding decodes the bytes into a different text, or a byte-order mark
    named the encoding; NaN when the caller forced the encoding).
    """

    text: str
    encoding: str
    plausibility: float
    confidence: float

    @property
    def doubtful(self) -> bool:
        return self.plausibility < LOW_PLAUSIBILITY or self.confidence < LOW_MARGIN


@functools.lru_cache(maxsize=1)
def _weights() -> np.ndarray:
    """Weight of each code point, in quarters: 4 typical, 2 a less common hanzi, 1 another CJK
    ideograph, 0 anything else; -1 marks white space (not scored)."""
    from policytext.io.data_files import frequent_characters

    hanzi, full = set(), set(frequent_characters())

    def add(into, encoding, leads, trails):
        for lead in leads:
            for trail in trails:
                try:
                    into.add(bytes((lead, trail)).decode(encoding))
                except UnicodeDecodeError:
                    pass

    add(hanzi, "gb2312", range(0xB0, 0xD8), range(0xA1, 0xFF))  # GB2312 level 1
    big5_trails = list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF))
    add(hanzi, "cp950", range(0xA4, 0xC6), big5_trails)  # Big5 frequent
    add(hanzi, "cp950", (0xC6,), range(0x40, 0x7F))
    add(full, "gb2312", (0xA1, 0xA2, 0xA3), range(0xA1, 0xFF))  # punctuation, numbered signs, full-width ASCII
    add(full, "cp950", (0xA1,), big5_trails)  # Big5 punctuation
    full.update(chr(c) for c in range(0x20, 0x7F))
    full.update(chr(c) for c in range(0x3000, 0x3040))  # CJK punctuation
    full.update(chr(c) for c in range(0xFF01, 0xFF5F))  # full-width forms
    full.update(chr(c) for c in range(0x2010, 0x2040))  # dashes, quotes, ellipsis
    full.update(_PINYIN + "·×÷°±№")
    full.discard("\ufffd")
    weights = np.zeros(0x110000, dtype=np.int8)
    for lo, hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F)):
        weights[lo:hi + 1] = 1
    weights[[ord(c) for c in hanzi]] = 2
    weights[[ord(c) for c in full]] = 4
    weights[[ord(c) for c in " \t\n\r\f\v\u3000\xa0"]] = -1
    weights.flags.writeable = False
    return weights


def plausibility(text: str) -> float:
    """Share of the characters of ``text`` that are typical of Chinese text (white space ignored).

    A character counts 1 if it is one of the 1,500 most frequent Chinese
    characters (Simplified or Traditional), ASCII or common punctuation; 1/2
    if it is another level-1 character of GB2312 or frequent character of
    Big5; 1/4 if it is another CJK ideograph; 0 otherwise. The text's first
    20,000 characters are scored.

    Examples
    --------
    >>> plausibility("推进数字经济发展")
    1.0
    >>> data = "推進數位經濟發展".encode("big5")
    >>> plausibility(data.decode("gb18030")) < 0.5
    True
    """
    codes = np.frombuffer(text[:_SAMPLE_CHARS].encode("utf-32-le", errors="surrogatepass"), dtype="<u4")
    w = _weights()[codes]
    scored = w[w >= 0]
    if not len(scored):
        return 1.0
    return float(scored.sum(dtype=np.int64)) / (4 * len(scored))


def decode(data: bytes, encoding: str | None = None) -> Decoded:
    """Decode the bytes of a text file, choosing the most plausible encoding.

    A byte-order mark decides (UTF-8, UTF-16, UTF-32). Otherwise the bytes
    are decoded as UTF-8, GB18030 (a superset of GBK and GB2312), Big5
    (cp950) and, if their number is even, UTF-16 without a mark (little- and
    big-endian); of the decodings without an error the most plausible wins,
    and on a tie the first in that order. Bytes with NUL or many control
    bytes are binary unless they are plausible UTF-16.

    Raises
    ------
    DecodeFailure
        With the reason ``empty``, ``binary`` or ``undecodable``.
    """
    if not data:
        raise DecodeFailure("empty", "the file has 0 bytes")
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError) as err:
            detail = (f"not valid {encoding}: {err.reason} at byte {err.start}"
                      if isinstance(err, UnicodeDecodeError) else f"unknown encoding {encoding!r}")
            raise DecodeFailure("undecodable", detail) from None
        return Decoded(_check_text(text), encoding, plausibility(text), float("nan"))
    for bom, name in BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(name)
            except UnicodeDecodeError as err:
                raise DecodeFailure("undecodable", f"starts with a {name} byte-order mark but is not valid "
                                                   f"{name}: {err.reason} at byte {err.start}") from None
            text = _check_text(text.lstrip("\ufeff"))
            return Decoded(text, name, plausibility(text), 1.0)
    head = data[:65536]
    odd = b"\x00" in head or sum(head.count(b) for b in _CONTROL_BYTES) > 0.01 * len(head)
    candidates = CANDIDATES + (UTF16 if len(data) % 2 == 0 else ())
    decoded = _best(data, candidates)
    if odd and (decoded is None or not decoded.encoding.startswith("utf-16")
                or decoded.plausibility < LOW_PLAUSIBILITY):
        raise DecodeFailure("binary", "contains NUL or control bytes that do not occur in text, "
                                      "and is not UTF-16 text either")
    if decoded is None:
        raise DecodeFailure("undecodable", _failures(data))
    return decoded


def _best(data: bytes, candidates) -> Decoded | None:
    """The most plausible decoding of ``data``: scored on its first 64 KB, then decoded whole."""
    head = data[:_SAMPLE_BYTES]
    scored = []
    for codec, name in candidates:
        try:
            text = codecs.getincrementaldecoder(codec)().decode(head, final=len(head) == len(data))
        except UnicodeDecodeError:
            continue
        score = plausibility(text)
        if name.startswith("utf-16") and score < LOW_PLAUSIBILITY:
            continue  # any even number of bytes decodes as UTF-16: only plausible text counts
        scored.append((score, -len(scored), text, codec, name))
    scored.sort(reverse=True)
    while scored:
        score, _, sample, codec, name = scored.pop(0)
        try:
            text = data.decode(codec) if len(head) < len(data) else sample
        except UnicodeDecodeError:
            continue  # fails after the sample: not this one
        others = [s for s, _, t, _, _ in scored if t != sample]
        confidence = score - max(others) if others else 1.0
        return Decoded(_check_text(text), name, round(score, 4), round(max(confidence, 0.0), 4))
    return None


def _failures(data: bytes) -> str:
    parts = []
    for codec, name in CANDIDATES:
        try:
            data.decode(codec)
        except UnicodeDecodeError as err:
            parts.append(f"not {name} (byte 0x{data[err.start]:02x} at offset {err.start})")
    return "; ".join(parts)


def _check_text(text: str) -> str:
    if not text.strip():
        raise DecodeFailure("empty", "the file holds only white space")
    return text
