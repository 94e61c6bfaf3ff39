"""Reading Word 97-2003 (``.doc``), WPS (``.wps``), RTF and OpenDocument (``.odt``) documents: LibreOffice
converts a copy to DOCX in a temporary folder, and :mod:`policytext.io.docx` reads that.

LibreOffice is found as ``soffice`` (or ``libreoffice``) on the ``PATH``; without it such a
document is :class:`Unreadable` with the reason ``"needs LibreOffice"``: install LibreOffice
(https://www.libreoffice.org; ``apt install libreoffice-writer``, ``brew install --cask
libreoffice``), or save the document as DOCX (or PDF) in Word or WPS. The user's file is
never changed and nothing is written beside it: the copy, the converted document and
LibreOffice's own settings (a profile of its own, so that a LibreOffice window the user has
open does not stop the conversion) live in a temporary folder, removed afterwards. A
conversion that takes longer than :data:`TIMEOUT` seconds is stopped.

OFD (the Chinese fixed-layout format) is not read: LibreOffice does not open it, and no
maintained Python reader was found; export it as PDF in an OFD reader.
"""

from __future__ import annotations

import functools
import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from policytext.io.formats import Read, Unreadable

__all__ = ["read", "soffice", "TIMEOUT", "SUFFIXES"]

logger = logging.getLogger(__name__)

#: Seconds a conversion may take before it is stopped.
TIMEOUT = 180
#: The suffixes this reader reads (through LibreOffice).
SUFFIXES = (".doc", ".wps", ".rtf", ".odt")


def soffice() -> str | None:
    """The LibreOffice program on the ``PATH`` (``soffice`` or ``libreoffice``), or None.

    Examples
    --------
    >>> soffice() is None or Path(soffice()).name in ("soffice", "libreoffice", "soffice.exe")
    True
    """
    return shutil.which("soffice") or shutil.which("libreoffice")


@functools.lru_cache(maxsize=4)
def _libreoffice_version(program: str) -> str:
    try:
        out = subprocess.run([program, "--version"], capture_output=True, text=True, timeout=60,
                             stdin=subprocess.DEVNULL, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return "LibreOffice"
    words = out.split()
    return f"LibreOffice {words[1]}" if len(words) > 1 and words[0].startswith("LibreOffice") else "LibreOffice"


def _stop(proc: subprocess.Popen) -> None:
    """Stop the conversion and every process it started (LibreOffice's launcher starts soffice.bin)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (OSError, AttributeError):  # pragma: no cover - Windows, or gone already
        proc.kill()
    proc.wait()


def _needs_libreoffice(path: Path) -> Unreadable:
    return Unreadable("needs LibreOffice", f"{path.name}: a {path.suffix.lower() or 'suffix-less'} document is read "
                                           "by converting it to DOCX with LibreOffice, which is not installed (no "
                                           "soffice on the PATH): install LibreOffice (libreoffice.org; apt install "
                                           "libreoffice-writer; brew install --cask libreoffice), or save the "
                                           "document as DOCX in Word or WPS")


def read(path: str | Path, *, data: bytes | None = None, timeout: float = TIMEOUT) -> Read:
    """Convert a ``.doc``, ``.wps``, ``.rtf`` or ``.odt`` document to DOCX with LibreOffice, in a temporary
    folder, and read that (:func:`policytext.io.docx.read`).

    Parameters
    ----------
    path : str or Path
        The document; never changed, and nothing is written beside it.
    data : bytes, optional
        The file's bytes, if already read (the copy that is converted is made from them).
    timeout : float
        Seconds the conversion may take.

    Returns
    -------
    Read
        As :func:`policytext.io.docx.read` gives it; ``reader`` names both
        (``"LibreOffice 7.4.7.2 + policytext 0.1.0 docx"``).

    Raises
    ------
    Unreadable
        ``"needs LibreOffice"`` when LibreOffice is not installed; ``"unreadable"`` when
        it cannot convert the document, or takes longer than ``timeout``.

    Examples
    --------
    >>> import os
    >>> os.environ["PATH"], path = "", os.environ["PATH"]  # as if LibreOffice were not installed
    >>> try:
    ...     read("notice.doc", data=b"\\xd0\\xcf\\x11\\xe0")
    ... except Unreadable as err:
    ...     print(err.reason)
    ... finally:
    ...     os.environ["PATH"] = path
    needs LibreOffice
    """
    from policytext.io import docx

    path = Path(path)
    program = soffice()
    if program is None:
        raise _needs_libreoffice(path)
    suffix = path.suffix.lower() or ".doc"
    with tempfile.TemporaryDirectory(prefix="policytext-office-") as tmp:
        tmp_path = Path(tmp)
        copy = tmp_path / f"document{suffix}"  # a plain name: LibreOffice's command line and odd names don't mix
        if data is not None:
            copy.write_bytes(data)
        else:
            try:
                shutil.copyfile(path, copy)
            except OSError as err:
                raise Unreadable("unreadable", f"{path}: {err.strerror or err}") from None
        out = tmp_path / "out"
        out.mkdir()
        command = [program, "--headless", "--norestore", "--nolockcheck", "--nodefault", "--nologo",
                   f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                   "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(copy)]
        logger.info("%s: converting to DOCX with %s", path, program)
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                cwd=tmp, start_new_session=True)
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop(proc)
            raise Unreadable("unreadable", f"{path.name}: LibreOffice did not convert it within {timeout:g} s "
                                           "(stopped); save it as DOCX in Word or WPS") from None
        converted = out / "document.docx"
        if not converted.is_file():
            said = (stderr or stdout or b"").decode("utf-8", "replace").strip().splitlines()
            raise Unreadable("unreadable", f"{path.name}: LibreOffice could not convert it to DOCX (exit code "
                                           f"{proc.returncode}{': ' + said[-1] if said else ''}); damaged, "
                                           "protected with a password, or not a document of this kind")
        got = docx.read(path, data=converted.read_bytes())
    got.reader = f"{_libreoffice_version(program)} + {got.reader}"
    return got
