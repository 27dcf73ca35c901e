"""Plan files waiting for confirmation: kept in the data directory under a random token.

The web upload analyses a file (dry run), keeps its bytes here and shows the summary; the
confirm step imports the same bytes. Pending files older than a day are removed.
"""
from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from reportsvc.errors import NotFound
from reportsvc.importing.deadlines import years_label
from reportsvc.importing.safety import display_name

MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass
class PendingUpload:
    """What was uploaded, by whom, for which unit and years, and whether it replaces a plan.

    ``year``–``year_end`` are the plan's years (the same for an annual plan); ``years_source`` says
    whether they were typed on the form ("option") or read from the document's title ("title").
    A pending file saved before plans had a range has neither: it is an annual plan of ``year``.
    """

    token: str
    filename: str
    unit_code: str
    year: int
    replace: bool
    user_id: int
    sha256: str
    year_end: int | None = None
    years_source: str = "option"

    def __post_init__(self) -> None:
        if self.year_end is None:
            self.year_end = self.year

    @property
    def years(self) -> tuple[int, int]:
        """Return the plan's (first, last) years."""
        return self.year, self.year_end if self.year_end is not None else self.year

    @property
    def years_given(self) -> tuple[int, int] | None:
        """Return the years to analyse the file with again: those typed, or None to read them from the title."""
        return self.years if self.years_source == "option" else None

    @property
    def label(self) -> str:
        """Return "năm 2024" or "giai đoạn 2021-2025"."""
        return years_label(self.years)


def _folder(data_dir: Path) -> Path:
    folder = Path(data_dir) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _paths(data_dir: Path, token: str) -> tuple[Path, Path]:
    if not _TOKEN.match(token or ""):
        raise NotFound("Không tìm thấy tệp đang chờ xác nhận (mã không hợp lệ).")
    folder = _folder(data_dir)
    return folder / f"{token}.bin", folder / f"{token}.json"


def save(data_dir: Path, data: bytes, *, filename: str, unit_code: str, year: int, replace: bool, user_id: int,
         sha256: str, year_end: int | None = None, years_source: str = "option") -> PendingUpload:
    """Keep an uploaded file and its choices (the name cleaned by ``display_name``); return it with its token."""
    cleanup(data_dir)
    pending = PendingUpload(secrets.token_urlsafe(24), display_name(filename), unit_code, year, replace, user_id,
                            sha256, year_end, years_source)
    content, meta = _paths(data_dir, pending.token)
    content.write_bytes(data)
    meta.write_text(json.dumps(asdict(pending), ensure_ascii=False), encoding="utf-8")
    return pending


def load(data_dir: Path, token: str, user_id: int) -> tuple[PendingUpload, bytes]:
    """Return a pending upload of ``user_id`` and its bytes, or raise NotFound.

    Someone else's upload (another admin's, even of the same unit) is not found either: only its
    uploader may preview, confirm or cancel it, and a refused attempt leaves it in place.
    """
    content, meta = _paths(data_dir, token)
    if not meta.is_file() or not content.is_file():
        raise NotFound("Không tìm thấy tệp đang chờ xác nhận; có thể đã được nhập, đã hủy hoặc đã quá hạn. "
                       "Hãy tải tệp lên lại.")
    stored = json.loads(meta.read_text(encoding="utf-8"))
    known = {name for name in PendingUpload.__dataclass_fields__}
    pending = PendingUpload(**{key: value for key, value in stored.items() if key in known})
    if pending.user_id != user_id:
        raise NotFound("Không tìm thấy tệp đang chờ xác nhận của bạn.")
    return pending, content.read_bytes()


def discard(data_dir: Path, token: str) -> None:
    """Remove a pending upload (no error if it is already gone)."""
    for path in _paths(data_dir, token):
        path.unlink(missing_ok=True)


def cleanup(data_dir: Path, max_age: float = MAX_AGE_SECONDS) -> None:
    """Remove pending uploads older than ``max_age`` seconds."""
    limit = time.time() - max_age
    for path in _folder(data_dir).glob("*"):
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except OSError:
            continue
