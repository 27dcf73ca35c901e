"""The service's settings: built-in defaults, then the environment (README, "Configuration"), then overrides.

``load_settings`` is the only reader of the environment; the web app (reportsvc.web.app) and
the command line (reportsvc.cli.support) both call it, the CLI passing its ``--plugins-dir``
option as an override. There is no configuration file. A value that cannot be used is refused
with a Vietnamese ConfigError naming the variable.
"""
from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Callable, Mapping
from urllib.parse import unquote, urlsplit

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


# ---------------------------------------------------------------- e-mail: addresses and the SMTP server

_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def normal_email(text: str) -> str:
    """Return an e-mail address with its domain lower-cased; ValueError (Vietnamese) if it is not one.

    The one check of an address (users' addresses, the sender): ``local@domain`` without
    spaces or diacritics, the domain a dotted host name; "" stays "" (no address).
    """
    value = (text or "").strip()
    if not value:
        return ""
    local, _, domain = value.rpartition("@")
    domain = domain.lower()
    if len(value) > 254 or len(local) > 64 or not _LOCAL_PART.match(local) or not _DOMAIN.match(domain):
        raise ValueError(f"Địa chỉ thư điện tử không hợp lệ: '{value}' (cần dạng ten@coquan.gov.vn, "
                         f"không dấu, không có khoảng trắng).")
    return f"{local}@{domain}"


def sender_of(text: str) -> tuple[str, str]:
    """Return (display name, address) of a sender written "cchc@x.gov.vn" or "Sở Nội vụ <cchc@x.gov.vn>".

    Raises ValueError (Vietnamese) when the address part is not an e-mail address.
    """
    name, address = parseaddr(text.strip())
    if not address or ("<" in text and not text.strip().endswith(">")):
        raise ValueError(f"Địa chỉ người gửi không hợp lệ: '{text.strip()}' (cần dạng cchc@coquan.gov.vn "
                         f"hoặc Tên cơ quan <cchc@coquan.gov.vn>).")
    return " ".join(name.split()), normal_email(address)


SMTP_PORTS = {"smtp": 25, "smtps": 465}
"""The accepted schemes of REPORTSVC_SMTP_URL and their default ports."""
SMTP_FORMS = "smtp://tên:mật-khẩu@máy-chủ:587 hoặc smtps://tên:mật-khẩu@máy-chủ:465"


@dataclass(frozen=True)
class SmtpServer:
    """The mail server of REPORTSVC_SMTP_URL taken apart (reportsvc.services.mail connects to it).

    ``smtp://`` connects in plain text and switches to TLS (STARTTLS, certificate checked) whenever
    the server offers it; credentials are sent only over TLS.
    ``smtps://`` speaks TLS from the first byte (implicit TLS, usually port 465).
    """

    scheme: str
    host: str
    port: int
    username: str = ""
    password: str = field(default="", repr=False)

    @property
    def implicit_tls(self) -> bool:
        """Return True for smtps:// (TLS from the start)."""
        return self.scheme == "smtps"

    @property
    def shown(self) -> str:
        """Return the URL for messages: the user name kept, the password never shown."""
        user = f"{self.username}@" if self.username else ""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{user}{host}:{self.port}"


def parse_smtp_url(url: str) -> SmtpServer:
    """Take REPORTSVC_SMTP_URL apart; ValueError with the Vietnamese reason when it cannot be used.

    User name and password may be percent-encoded ("cchc%40tinh.gov.vn"); the port defaults to 25
    (smtp) or 465 (smtps).
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        raise ValueError("địa chỉ máy chủ không đọc được") from None
    try:
        port = parts.port
    except ValueError:
        port = 0
    scheme = parts.scheme.lower()
    if scheme not in SMTP_PORTS:
        raise ValueError(f"chỉ nhận smtp:// hoặc smtps://, không nhận '{scheme or url.strip()[:16]}'")
    if not parts.hostname:
        raise ValueError("thiếu tên máy chủ thư")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("sau máy chủ và cổng không được có đường dẫn hay tham số")
    if port == 0:
        raise ValueError("cổng phải là một số từ 1 đến 65535")
    username, password = unquote(parts.username or ""), unquote(parts.password or "")
    if password and not username:
        raise ValueError("có mật khẩu mà thiếu tên đăng nhập")
    return SmtpServer(scheme, parts.hostname, port or SMTP_PORTS[scheme], username, password)


BROKER_SCHEMES = ("redis", "rediss")
"""The accepted schemes of REPORTSVC_BROKER_URL: Redis in plain text, or over TLS."""
BROKER_FORMS = "redis://máy-chủ:6379/0 hoặc rediss://:mật-khẩu@máy-chủ:6380/0"
TASK_SECONDS = (1, 86_400)
"""The range of REPORTSVC_TASK_SECONDS: one second to one day."""


def check_broker_url(url: str) -> None:
    """Raise ValueError with the Vietnamese reason when REPORTSVC_BROKER_URL cannot be used.

    ``redis://[:password@]host[:port][/db]`` or ``rediss://…`` (TLS, certificate checked); the
    database is a number, query parameters are passed to the Redis client.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ValueError("cổng phải là một số từ 1 đến 65535") from None
    if parts.scheme.lower() not in BROKER_SCHEMES:
        raise ValueError(f"chỉ nhận redis:// hoặc rediss://, không nhận '{parts.scheme or url.strip()[:16]}'")
    if not parts.hostname:
        raise ValueError("thiếu tên máy chủ Redis")
    if port == 0:
        raise ValueError("cổng phải là một số từ 1 đến 65535")
    if parts.path not in ("", "/") and not parts.path[1:].isdigit():
        raise ValueError(f"sau máy chủ chỉ được là số cơ sở dữ liệu Redis (/0, /1 …), không phải '{parts.path}'")
    if parts.fragment:
        raise ValueError("không được có phần '#…'")


def shown_broker_url(url: str) -> str:
    """Return REPORTSVC_BROKER_URL for messages: the password replaced by ***, the rest kept."""
    parts = urlsplit(url.strip())
    if parts.password is None:
        return url.strip()
    user = parts.username or ""
    host = f"[{parts.hostname}]" if parts.hostname and ":" in parts.hostname else (parts.hostname or "")
    port = f":{parts.port}" if parts.port else ""
    return parts._replace(netloc=f"{user}:***@{host}{port}").geturl()


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
    smtp_url: str = field(default="", repr=False)  # may hold a password
    mail_from: str = ""
    broker_url: str = field(default="", repr=False)  # may hold a password
    task_seconds: float = 600.0

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
        if self.smtp_url:  # reminders by e-mail (reportsvc.services.mail)
            try:
                parse_smtp_url(self.smtp_url)
            except ValueError as exc:  # the URL itself is not repeated: it may hold a password
                raise ConfigError(f"{ENV_PREFIX}SMTP_URL không hợp lệ: {exc} (cần dạng {SMTP_FORMS}).") from None
        if self.mail_from:
            try:
                sender_of(self.mail_from)
            except ValueError as exc:
                raise ConfigError(f"{ENV_PREFIX}MAIL_FROM: {exc}") from None
        if self.broker_url:  # the Celery queue (reportsvc.services.queue)
            try:
                check_broker_url(self.broker_url)
            except ValueError as exc:  # the URL itself is not repeated: it may hold a password
                raise ConfigError(f"{ENV_PREFIX}BROKER_URL không hợp lệ: {exc} (cần dạng {BROKER_FORMS}).") from None
        if not TASK_SECONDS[0] <= self.task_seconds <= TASK_SECONDS[1]:
            raise ConfigError(f"{ENV_PREFIX}TASK_SECONDS phải là số giây từ {TASK_SECONDS[0]} đến {TASK_SECONDS[1]}, "
                              f"nhận được '{self.task_seconds}'.")

    @property
    def smtp(self) -> SmtpServer | None:
        """Return the mail server reminders go through, or None when REPORTSVC_SMTP_URL is not set."""
        return parse_smtp_url(self.smtp_url) if self.smtp_url else None

    @property
    def sender(self) -> tuple[str, str] | None:
        """Return (display name, address) of REPORTSVC_MAIL_FROM, else the SMTP user name when it is an
        address, else None."""
        if self.mail_from:
            return sender_of(self.mail_from)
        server = self.smtp
        if server is not None and server.username:
            try:
                return "", normal_email(server.username)
            except ValueError:
                return None
        return None

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
    "smtp_url": (ENV_PREFIX + "SMTP_URL", str),
    "mail_from": (ENV_PREFIX + "MAIL_FROM", str),
    "broker_url": (ENV_PREFIX + "BROKER_URL", str),
    "task_seconds": (ENV_PREFIX + "TASK_SECONDS", float),
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
