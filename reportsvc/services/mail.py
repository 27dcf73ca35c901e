"""Sending mail with the standard library: smtplib over REPORTSVC_SMTP_URL, email.message.EmailMessage.

The server comes from the settings (reportsvc.config.SmtpServer):

- ``smtp://host[:port]`` (port 25 by default) connects in plain text and switches to TLS with
  STARTTLS whenever the server offers it, checking the server's certificate against the system's
  certificate authorities (OpenSSL's defaults: ``SSL_CERT_FILE`` names another bundle). A server
  that offers no STARTTLS gets the mail in plain text (an internal relay without a password); a
  user name and password, though, are sent only over TLS: a server without STARTTLS is refused
  rather than handed the password, also when someone on the way removed STARTTLS from its answer.
- ``smtps://host[:port]`` (port 465 by default) speaks TLS from the first byte (implicit TLS).

Messages are UTF-8 (Vietnamese subject and body), with a Message-ID, a Date, and
``Auto-Submitted: auto-generated`` so that auto-responders do not answer them. Every failure of
the server is a :class:`MailError` with one Vietnamese line naming the server (never the password).
"""
from __future__ import annotations

import base64
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from types import TracebackType

from reportsvc.config import Settings, SmtpServer
from reportsvc.errors import UserError

TIMEOUT_SECONDS = 30.0
"""How long one connection, command or reply of the mail server may take."""


class MailError(UserError):
    """The mail server is not configured, cannot be reached, or refused a message (exit 2, HTTP 502)."""

    http_status = 502
    title = "Không gửi được thư"


class RecipientRefused(MailError):
    """The server refused one recipient's address; other messages may still go."""


@dataclass(frozen=True)
class Mail:
    """One message to one recipient: plain Vietnamese text."""

    to_address: str
    to_name: str
    subject: str
    body: str


def _address(name: str, address: str) -> Address:
    local, _, domain = address.rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


def compose(mail: Mail, sender: tuple[str, str]) -> EmailMessage:
    """Return ``mail`` as a MIME message from ``sender`` (display name, address), UTF-8 text."""
    message = EmailMessage()
    message["From"] = _address(*sender)
    message["To"] = _address(mail.to_name, mail.to_address)
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender[1].rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body, charset="utf-8")
    return message


def _reason(exc: BaseException) -> str:
    """Return why talking to the mail server failed, in Vietnamese."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "máy chủ không chấp nhận tên đăng nhập hoặc mật khẩu"
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return "máy chủ không hỗ trợ đăng nhập (AUTH)"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "máy chủ đã ngắt kết nối"
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"máy chủ trả lời {exc.smtp_code} {' '.join(text.split())}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"chứng chỉ TLS của máy chủ không hợp lệ ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"lỗi TLS ({exc.reason or exc.__class__.__name__})"
    if isinstance(exc, socket.gaierror):
        return "không tìm thấy tên máy chủ"
    if isinstance(exc, ConnectionRefusedError):
        return "máy chủ từ chối kết nối (không có dịch vụ thư ở cổng này)"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return f"máy chủ không trả lời sau {TIMEOUT_SECONDS:g} giây"
    if isinstance(exc, OSError):
        return f"lỗi mạng ({exc.strerror or exc.__class__.__name__})"
    return exc.__class__.__name__


class MailServer:
    """An open connection to the mail server; use as a context manager (``with connect(settings) as server``)."""

    def __init__(self, server: SmtpServer, sender: tuple[str, str]) -> None:
        self.server = server
        self.sender = sender
        self._smtp: smtplib.SMTP | None = None

    def _fail(self, what: str, exc: BaseException) -> MailError:
        return MailError(f"{what} máy chủ thư {self.server.shown} (REPORTSVC_SMTP_URL): {_reason(exc)}.")

    def open(self) -> "MailServer":
        """Connect, switch to TLS where it can and sign in; raise MailError when any of it fails."""
        server = self.server
        context = ssl.create_default_context()
        try:
            if server.implicit_tls:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_SECONDS,
                                                      context=context)
            else:
                smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
            self._smtp = smtp
            smtp.ehlo_or_helo_if_needed()
            secure = server.implicit_tls
            if not secure and smtp.has_extn("starttls"):
                smtp.starttls(context=context)
                smtp.ehlo()
                secure = True
            if server.username:
                if not secure:
                    raise MailError(f"Máy chủ thư {server.shown} không hỗ trợ STARTTLS: không gửi mật khẩu qua kết "
                                    f"nối không mã hóa. Hãy dùng smtps:// hoặc một máy chủ có STARTTLS.")
                self._login(smtp)
        except MailError:
            self.close()
            raise
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise self._fail("Không kết nối được với", exc) from exc
        return self

    def _login(self, smtp: smtplib.SMTP) -> None:
        """Sign in; a user name or password with non-ASCII characters goes as UTF-8 AUTH PLAIN (RFC 4616)."""
        user, password = self.server.username, self.server.password
        if (user + password).isascii():
            smtp.login(user, password)
            return
        if "plain" not in (smtp.esmtp_features.get("auth") or "").lower().split():
            raise smtplib.SMTPNotSupportedError("AUTH PLAIN")
        token = base64.b64encode(f"\0{user}\0{password}".encode("utf-8")).decode("ascii")
        code, reply = smtp.docmd("AUTH", f"PLAIN {token}")
        if code != 235:
            raise smtplib.SMTPAuthenticationError(code, reply)

    def send(self, mail: Mail) -> None:
        """Send one message; raise MailError when the server refuses it or the connection breaks."""
        if self._smtp is None:
            self.open()
        assert self._smtp is not None
        try:
            self._smtp.send_message(compose(mail, self.sender))
        except (OSError, smtplib.SMTPException) as exc:
            if isinstance(exc, smtplib.SMTPRecipientsRefused):
                raise RecipientRefused(f"Máy chủ thư {self.server.shown} từ chối người nhận {mail.to_address}.") \
                    from exc
            raise self._fail(f"Không gửi được thư tới {mail.to_address} qua", exc) from exc

    def close(self) -> None:
        """End the session politely (QUIT), or just drop the connection when that fails."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()

    def __enter__(self) -> "MailServer":
        return self.open() if self._smtp is None else self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def configured(settings: Settings) -> tuple[SmtpServer, tuple[str, str]]:
    """Return the mail server and sender of the settings; raise MailError naming what is missing."""
    server = settings.smtp
    if server is None:
        raise MailError("Chưa cấu hình máy chủ thư: đặt biến môi trường REPORTSVC_SMTP_URL (dạng "
                        "smtp://tên:mật-khẩu@máy-chủ:587 hoặc smtps://…) và REPORTSVC_MAIL_FROM.")
    sender = settings.sender
    if sender is None:
        raise MailError("Chưa có địa chỉ người gửi thư: đặt biến môi trường REPORTSVC_MAIL_FROM, ví dụ "
                        "\"Sở Nội vụ <cchc@sonoivu.gov.vn>\".")
    return server, sender


def connect(settings: Settings) -> MailServer:
    """Return an unopened MailServer for the settings (``with connect(settings) as server: …``)."""
    return MailServer(*configured(settings))
