"""Characters that are not what they look like: invisible ones, and spaces and digits of other widths.

Shared by cleaning (texts) and loading (metadata values).
"""

from __future__ import annotations

import re

__all__ = ["INVISIBLE", "INVISIBLE_RE", "normalize_value"]

#: Invisible characters: zero-width spaces and joiners, word joiner and invisible operators, the byte-order mark
#: inside a text, bidirectional controls, soft hyphen, Mongolian vowel separator.
INVISIBLE = ("\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u202a\u202b\u202c\u202d\u202e"
             "\u2066\u2067\u2068\u2069\u00ad\u180e")
INVISIBLE_RE = re.compile(f"[{INVISIBLE}]")
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES_RE = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# a space that is no ASCII space (no-break, ideographic, en ...) between two Han characters: an artefact of layout
_WIDE_SPACE_IN_HAN_RE = re.compile(f"(?<=[{_HAN}])[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+(?=[{_HAN}])")
_WIDE = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}  # full-width ASCII forms -> ASCII


def normalize_value(value: str) -> str:
    """A metadata value as it is meant: invisible and control characters out, a no-break or ideographic
    space between two Han characters out (湖北\\u00a0省), every other run of spaces a single space,
    full-width letters, digits and punctuation as ASCII (the part of NFKC that is safe for names), outer
    spaces trimmed.

    Examples
    --------
    >>> normalize_value("湖北\\u200b省"), normalize_value("\\u3000四川省\\u00a0"), normalize_value("２０２１")
    ('湖北省', '四川省', '2021')
    >>> normalize_value("湖北\\u00a0省"), normalize_value("湖北省 武汉市"), normalize_value("Ⅱ期")
    ('湖北省', '湖北省 武汉市', 'Ⅱ期')
    """
    value = _WIDE_SPACE_IN_HAN_RE.sub("", _CONTROL_RE.sub("", INVISIBLE_RE.sub("", value)))
    return _SPACES_RE.sub(" ", value.translate(_WIDE)).strip()
