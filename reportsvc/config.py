"""The service's settings: built-in defaults, then the environment (README, "Configuration"), then overrides.

``load_settings`` is the only reader of the environment; the web app (reportsvc.web.app) and
the command line (reportsvc.cli.support) both call it, the CLI passing its ``--plugins-dir``
option as an override. There is no configuration file. A value that cannot be used is refused
with a Vietnamese ConfigError naming the variable.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from reportsvc.errors import SetupError

ENV_PREFIX = "REPORTSVC_"
MB = 1024 * 1024
CUTOFF_DAYS = range(1, 29)
"""A data window may end on day 1–28: the day after it must exist in every month a window starts in."""
PROXY_HOPS = range(0, 6)
"""How many reverse proxies (nginx, a load balancer …) may stand in front of the service: their X-Forwarded-* are trusted."""
_TRUE, _FALSE = {"1", "true", "yes", "on", "có"}, {"0", "false", "no", "off", "không"}


def read_flag(text: str) -> bool:
    """Return the boolean a variable is set to: 1/true/yes/on/có or 0/false/no/off/không (ValueError otherwise)."""
    word = text.strip().lower()
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise ValueError(text)


class ConfigError(SetupError):
    """A configuration value cannot be used; the message names the variable (exit 2, HTTP 500)."""


@dataclass(frozen=True)
class Settings:
    """Service settings; each field is one row of the configuration table in README.md."""

    data_dir: Path = field(default_factory=lambda: Path.cwd() / "instance")
    database_url: str = ""
    plugins_dir: str = ""
    max_upload_mb: float = 20.0
    max_unzipped_mb: float = 200.0
    max_pdf_pages: int = 300
    pdf_seconds: float = 60.0
    secret_key: str = ""
    cutoff_day: int = 14
    session_hours: float = 12.0
    idle_minutes: float = 60.0
    login_max_failures: int = 10
    login_address_max_failures: int = 50
    login_window_minutes: float = 15.0
    secure_cookies: bool = False
    proxy_hops: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "data_dir", Path(self.data_dir))
        if not self.database_url:
            object.__setattr__(self, "database_url", "sqlite:///" + str(self.data_dir / "reportsvc.sqlite3"))
        for name in ("max_upload_mb", "max_unzipped_mb"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"{ENV_PREFIX}{name.upper()} phải là một số dương (MB), "
                                  f"nhận được '{getattr(self, name)}'.")
        for name in ("max_pdf_pages", "pdf_seconds"):  # PDF plans (reportsvc.importing.pdf)
            if not 0 < getattr(self, name) <= 100_000:
                raise ConfigError(f"{ENV_PREFIX}{name.upper()} phải là một số dương không quá 100000, "
                                  f"nhận được '{getattr(self, name)}'.")
        if self.cutoff_day not in CUTOFF_DAYS:
            raise ConfigError(f"{ENV_PREFIX}CUTOFF_DAY phải là một ngày từ {CUTOFF_DAYS.start} đến "
                              f"{CUTOFF_DAYS.stop - 1}, nhận được '{self.cutoff_day}'.")
        for name in ("session_hours", "idle_minutes", "login_max_failures", "login_address_max_failures",
                     "login_window_minutes"):  # sign-in sessions and throttling (reportsvc.services.accounts)
            if not 0 < getattr(self, name) < 1_000_000:
                raise ConfigError(f"{ENV_PREFIX}{name.upper()} phải là một số dương nhỏ hơn 1000000, "
                                  f"nhận được '{getattr(self, name)}'.")
        if self.proxy_hops not in PROXY_HOPS:
            raise ConfigError(f"{ENV_PREFIX}PROXY_HOPS phải là số máy chủ proxy đứng trước dịch vụ, từ "
                              f"{PROXY_HOPS.start} đến {PROXY_HOPS.stop - 1}, nhận được '{self.proxy_hops}'.")

    @property
    def max_upload_bytes(self) -> int:
        """Return the largest accepted upload in bytes (Flask's MAX_CONTENT_LENGTH)."""
        return int(self.max_upload_mb * MB)

    def session_secret(self) -> str:
        """Return the secret key: REPORTSVC_SECRET_KEY, else one generated once into the data directory."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            _create_private(path, secrets.token_hex(32))
        if os.name == "posix" and path.stat().st_mode & 0o077:
            raise ConfigError(f"Tệp khóa bí mật {path} để người khác đọc được; hãy chạy: chmod 600 {path}")
        return path.read_text().strip()


def _create_private(path: Path, text: str) -> None:
    """Write ``text`` to a new file ``path`` readable by its owner only (0600), all at once.

    The text goes to a temporary file created with O_EXCL and mode 0600, then is linked to
    ``path``: no other user can ever read it, and a process starting at the same moment either
    links first or reads the complete file of the one that did.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process generated it first: use that one
    finally:
        temporary.unlink(missing_ok=True)


# field name -> (environment variable, how its text is read)
ENVIRONMENT: dict[str, tuple[str, Callable[[str], Any]]] = {
    "data_dir": (ENV_PREFIX + "DATA_DIR", Path),
    "database_url": ("DATABASE_URL", str),
    "plugins_dir": (ENV_PREFIX + "PLUGINS_DIR", str),
    "max_upload_mb": (ENV_PREFIX + "MAX_UPLOAD_MB", float),
    "max_unzipped_mb": (ENV_PREFIX + "MAX_UNZIPPED_MB", float),
    "max_pdf_pages": (ENV_PREFIX + "MAX_PDF_PAGES", int),
    "pdf_seconds": (ENV_PREFIX + "PDF_SECONDS", float),
    "secret_key": (ENV_PREFIX + "SECRET_KEY", str),
    "cutoff_day": (ENV_PREFIX + "CUTOFF_DAY", int),
    "session_hours": (ENV_PREFIX + "SESSION_HOURS", float),
    "idle_minutes": (ENV_PREFIX + "IDLE_MINUTES", float),
    "login_max_failures": (ENV_PREFIX + "LOGIN_MAX_FAILURES", int),
    "login_address_max_failures": (ENV_PREFIX + "LOGIN_ADDRESS_MAX_FAILURES", int),
    "login_window_minutes": (ENV_PREFIX + "LOGIN_WINDOW_MINUTES", float),
    "secure_cookies": (ENV_PREFIX + "SECURE_COOKIES", read_flag),
    "proxy_hops": (ENV_PREFIX + "PROXY_HOPS", int),
}


def load_settings(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from ``environ`` (default: the process environment), then ``overrides`` (CLI options, tests).

    Empty variables and ``None``/"" overrides count as unset.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for name, (variable, read) in ENVIRONMENT.items():
        text = (env.get(variable) or "").strip()
        if not text:
            continue
        try:
            values[name] = read(text)
        except ValueError:
            raise ConfigError(f"Biến môi trường {variable} không hợp lệ: '{text}'.") from None
    values.update({k: v for k, v in (overrides or {}).items() if v not in (None, "")})
    return Settings(**values)
