"""The output folder of a report, written as a whole or not at all."""

from __future__ import annotations

import json
import os
from pathlib import Path

from policytext._core.output import default_mode, write_atomic

__all__ = ["ReportFolder"]


class ReportFolder:
    """The output folder of a report, written as a whole or not at all.

    The run writes into a staging folder beside ``out`` (``.<name>.partial-*``);
    :meth:`commit` then puts it in the place of ``out`` in two renames, so the
    folder never mixes files of two runs, and a failed or interrupted run leaves
    the earlier report as it was. A folder that holds files policytext did not
    write (its manifest lists every file of the run) is refused, naming them, so
    nothing of the user's is ever removed.
    """

    #: Names a report of an earlier version wrote, before manifests listed their files.
    LEGACY = ("report.html", "manifest.json", "topics.html", "figures/", "tables/", "networks/", "model/")

    def __init__(self, out: Path, data_dir: Path):
        self.out = Path(out)
        self.files: list[str] = []
        self.staging: Path | None = None
        if str(out) == "":
            raise ValueError("the output folder is empty text; name a folder, e.g. -o report")
        if self.out.is_symlink():
            raise ValueError(f"{self.out} is a symbolic link; give the folder itself")
        if self.out.exists() and not self.out.is_dir():
            raise ValueError(f"{self.out} exists and is not a folder")
        real_out, real_data = Path(os.path.realpath(self.out)), Path(os.path.realpath(data_dir))
        if real_out == real_data or real_out.is_relative_to(real_data) or real_data.is_relative_to(real_out):
            raise ValueError(f"{self.out}: the report folder must lie outside the corpus folder {data_dir} "
                             "(and not hold it): choose another folder with -o")
        self._refuse_foreign()

    def _ours(self) -> set[str] | None:
        """The files the report now in ``out`` wrote, by its manifest; None if it has no readable one."""
        try:
            manifest = json.loads((self.out / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not str(manifest.get("created_with", "")).startswith("policytext"):
            return None
        return set(manifest["files"]) if isinstance(manifest.get("files"), list) else None

    def _present(self) -> list[str]:
        return sorted(p.relative_to(self.out).as_posix() for p in self.out.rglob("*") if not p.is_dir())

    def _refuse_foreign(self) -> None:
        if not self.out.is_dir():
            return
        present = self._present()
        if not present:
            return
        ours = self._ours()
        if ours is None:
            legacy = (self.out / "manifest.json").is_file() and self._ours_legacy()
            foreign = [f for f in present if not legacy or not f.startswith(self.LEGACY)]
        else:
            foreign = [f for f in present if f not in ours and f != "manifest.json"]
        if foreign:
            more = f" and {len(foreign) - 5} more" if len(foreign) > 5 else ""
            raise ValueError(f"{self.out} holds files that policytext did not write ({', '.join(foreign[:5])}{more}); "
                             "a report replaces its whole folder, so choose a new or empty folder with -o")

    def _ours_legacy(self) -> bool:
        try:
            manifest = json.loads((self.out / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return str(manifest.get("created_with", "")).startswith("policytext") and "files" not in manifest

    def __enter__(self) -> "ReportFolder":
        import tempfile

        parent = self.out.parent
        parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{self.out.name}.partial-"))
        os.chmod(self.staging, default_mode(folder=True))  # mkdtemp made it private
        return self

    def __exit__(self, kind, value, traceback) -> None:
        import shutil

        if self.staging is not None and self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)  # a folder this run made, and only that
        self.staging = None

    def path(self, rel: str) -> Path:
        """Where to write the report's file ``rel`` (its folder made); the file is recorded."""
        target = self.staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        self.files.append(rel)
        return target

    def write(self, rel: str, data: bytes | str) -> None:
        write_atomic(self.path(rel), data)

    def commit(self) -> Path:
        """Put the staging folder in the place of ``out``; the earlier report goes."""
        import shutil

        self._refuse_foreign()  # files may have arrived while the report ran
        old = None
        if self.out.exists():
            old = self.out.with_name(f".{self.out.name}.old-{os.getpid()}")
            os.replace(self.out, old)
        try:
            os.replace(self.staging, self.out)
        except OSError:
            if old is not None:
                os.replace(old, self.out)
            raise
        self.staging = None
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return self.out
