"""What a reader of one document format gives: the text, the reader that read it, the metadata the file
itself holds, and what the reader removed, counted.

Each format has its module (:mod:`policytext.io.pdf`, :mod:`policytext.io.docx`,
:mod:`policytext.io.html`, ...) with a function ``read(path) -> Read`` that raises
:class:`Unreadable` with one of :data:`policytext.io.loading.SKIP_REASONS` when it cannot give a text;
:func:`policytext.load_corpus` chooses the reader by the file's suffix and records the result in its
account.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Read", "Unreadable"]


@dataclass
class Read:
    """The text of one document as a reader gave it.

    Attributes
    ----------
    text : str
        The document's text, paragraphs on lines of their own.
    reader : str
        The library and its version that read it (``"pypdfium2 4.30.0"``).
    metadata : dict of str to str
        Metadata the file itself holds (a page's title and publication date, a
        document's number), by the kit's column names; ``load_corpus`` uses them
        only where the metadata table leaves a column empty.
    removed : dict of str to int
        What the reader removed, by kind (``"page numbers"``, ``"running
        headers"``, ``"navigation"`` ...), counted in lines.
    detail : str
        A note for the load account (empty when there is nothing to say).

    Examples
    --------
    >>> Read("第一条 为了规范……", "plain").removed
    {}
    """

    text: str
    reader: str
    metadata: dict[str, str] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    detail: str = ""


class Unreadable(Exception):
    """A document a reader cannot give a text of, with the reason (one of the load account's reasons) and
    what the user can do.

    Examples
    --------
    >>> err = Unreadable("scanned PDF", "no text layer on any of its 3 pages: run OCR on it first")
    >>> err.reason, str(err)
    ('scanned PDF', 'no text layer on any of its 3 pages: run OCR on it first')
    """

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
