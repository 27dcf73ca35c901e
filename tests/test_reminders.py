"""E-mail reminders of data deadlines, delivered to a real SMTP server (aiosmtpd) on the loopback address.

The demo province (HT) is made an office with ``data_due_day`` 10: its 6-tháng window (quý II's
record) is due on 10/06/2024, so "before" reminders go from 07/06 (``reminder_days`` 3) and "late"
ones from 11/06. Sở Tư pháp (editor stp) has not updated II.3 and II.4 for quý II in the demo.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from sqlalchemy import delete, select

from reportsvc.cli.main import main
from reportsvc.config import ConfigError, SmtpServer, load_settings, parse_smtp_url
from reportsvc.db.models import Agency, ReminderSent, StatusUpdate, Submission, Task, Unit, User
from reportsvc.db.unitsettings import apply_changes, validate_changes
from reportsvc.services import accounts
from reportsvc.services.mail import Mail, MailError, connect
from reportsvc.services.reminders import send_reminders
from reportsvc.services.runtime import Services
from tests.cli_helpers import ok, refused

SENDER = "Sở Nội vụ Hà Tĩnh <cchc@sonoivu.hatinh.gov.vn>"
H1_DAY = dt.date(2024, 6, 7)  # three days before 10/06/2024


# ---------------------------------------------------------------- the SMTP server

@dataclass
class Received:
    """One message the server accepted: the envelope and the parsed MIME message."""

    mail_from: str
    recipients: list[str]
    message: EmailMessage
    authenticated: bool | None

    @property
    def subject(self) -> str:
        """Return the decoded subject."""
        return str(self.message["Subject"])

    @property
    def body(self) -> str:
        """Return the decoded text body."""
        return self.message.get_content()


class Sink:
    """An aiosmtpd handler that keeps every message."""

    def __init__(self) -> None:
        self.messages: list[Received] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        """Parse and keep the message."""
        message = message_from_bytes(envelope.original_content.replace(b"\r\n", b"\n"), policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, session.authenticated))
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        """Return the messages delivered to ``address``."""
        return [m for m in self.messages if address in m.recipients]


def free_port() -> int:
    """Return a TCP port of the loopback address that nothing listens on (for now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Sink, int]]:
    """Run an SMTP server on 127.0.0.1 (no TLS, no AUTH); yield its sink and port."""
    sink, port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    yield sink, port
    controller.stop()


@pytest.fixture
def sink(smtp_server: tuple[Sink, int], monkeypatch: pytest.MonkeyPatch) -> Sink:
    """Point REPORTSVC_SMTP_URL and REPORTSVC_MAIL_FROM at the loopback SMTP server; return its sink."""
    monkeypatch.setenv("REPORTSVC_SMTP_URL", f"smtp://127.0.0.1:{smtp_server[1]}")
    monkeypatch.setenv("REPORTSVC_MAIL_FROM", SENDER)
    return smtp_server[0]


def mailing(services: Services) -> Services:
    """Return the services on the same database with the settings of the environment now (the SMTP server)."""
    return dataclasses.replace(services, settings=load_settings())


# ---------------------------------------------------------------- the demo as an office with a deadline

def unit(session: Any, code: str) -> Unit:
    """Return the unit with ``code``."""
    return session.scalar(select(Unit).where(Unit.code == code))


def agency(session: Any, name: str) -> Agency:
    """Return the demo province's agency called ``name``."""
    return session.scalar(select(Agency).join(Unit, Unit.id == Agency.unit_id)
                          .where(Unit.code == "HT", Agency.name == name))


def make_office(services: Services, code: str = "HT", **changes: str) -> None:
    """Make the unit the only one with a data deadline (``data_due_day`` 10 unless told), with no submission
    and no reminder sent anywhere (whatever the demo's cycle holds)."""
    with services.transaction() as session:
        for row in session.scalars(select(Unit)):
            apply_changes(row, validate_changes({"data_due_day": ""}))
        apply_changes(unit(session, code), validate_changes({"data_due_day": "10", **changes}))
        session.execute(delete(Submission))
        session.execute(delete(ReminderSent))


def submission(services: Services, unit_code: str, agency_name: str | None, state: str, key: str = "2024-Q2",
               reason: str = "") -> None:
    """Store a submission of a party's window in ``state``."""
    with services.transaction() as session:
        row = unit(session, unit_code)
        agency_id = agency(session, agency_name).id if agency_name else None
        session.add(Submission(unit_id=row.id, agency_id=agency_id,
                               party=f"agency:{agency_id}" if agency_id else "unit", period_key=key, state=state,
                               submitted_by="demo", reason=reason, decided_by="admin" if state != "submitted" else ""))


def add_user(services: Services, username: str, role: str, unit_code: str, agency_name: str = "",
             email: str = "", active: bool = True) -> None:
    """Create a user (through the accounts service) with an address, or none."""
    with services.transaction() as session:
        user = accounts.create_user(session, username, role, "mat-khau-dai-2024", agency_name=agency_name,
                                    unit_code=unit_code, full_name=f"Cán bộ {username}", email=email, actor="test")
        user.active = active


def sent_rows(services: Services) -> list[tuple[str, str, str, str]]:
    """Return (username, party, window, kind) of every recorded reminder."""
    with services.sessions() as session:
        return sorted(session.execute(select(User.username, ReminderSent.party, ReminderSent.period_key,
                                             ReminderSent.kind).join(User, User.id == ReminderSent.user_id)).all())


def open_tasks(services: Services, agency_name: str, key: str) -> list[str]:
    """Return "II.3"-style numbers of the agency's tasks in HT's plan without an update for the window."""
    with services.sessions() as session:
        tasks = session.scalars(select(Task).join(Task.agencies).where(
            Task.agencies.any(agency_id=agency(session, agency_name).id, role="lead")).distinct()).all()
        updated = set(session.scalars(select(StatusUpdate.task_id).where(StatusUpdate.period_key == key)))
        return [f"{t.area.numeral}.{t.number}" for t in sorted(tasks, key=lambda t: (t.area.position, t.position))
                if t.id not in updated]


@pytest.fixture
def office(demo_services: Services) -> Services:
    """The demo with HT as an office (deadline day 10, reminders 3 days before) and these parties for 6 tháng:

    Sở Tư pháp has not submitted (editor stp, plus one editor without an address and one locked);
    Văn phòng UBND tỉnh has submitted, Sở TTTT is approved; Sở Tài chính's data were returned.
    """
    make_office(demo_services)
    add_user(demo_services, "stp.khong.thu", "editor", "HT", "Sở Tư pháp")
    add_user(demo_services, "stp.da.khoa", "editor", "HT", "Sở Tư pháp", email="khoa@stp.example.org", active=False)
    add_user(demo_services, "tc", "editor", "HT", "Sở Tài chính", email="tc@STC.Example.ORG")
    add_user(demo_services, "tttt", "editor", "HT", "Sở Thông tin và Truyền thông", email="tttt@example.org")
    submission(demo_services, "HT", "Văn phòng UBND tỉnh", "submitted")
    submission(demo_services, "HT", "Sở Thông tin và Truyền thông", "approved")
    submission(demo_services, "HT", "Sở Tài chính", "returned", reason="Thiếu số liệu chỉ tiêu tài chính công.")
    return demo_services


# ---------------------------------------------------------------- before the deadline

def test_the_parties_not_submitted_get_one_mail_each_naming_report_deadline_and_open_tasks(
        office: Services, sink: Sink) -> None:
    run = send_reminders(mailing(office), H1_DAY)
    assert sorted(r.username for r in run.sent) == ["stp", "tc"] and not run.failed
    # submitted (vpubnd), approved (tttt), no address, locked, a viewer, the admin: nothing
    assert sorted(a for m in sink.messages for a in m.recipients) == ["stp@example.org", "tc@stc.example.org"]

    (stp,) = sink.to("stp@example.org")
    assert stp.mail_from == "cchc@sonoivu.hatinh.gov.vn"
    assert stp.message["From"].addresses[0].display_name == "Sở Nội vụ Hà Tĩnh"
    assert stp.message["To"].addresses[0].addr_spec == "stp@example.org"
    assert stp.message.get_content_type() == "text/plain" and stp.message.get_content_charset() == "utf-8"
    assert stp.message["Auto-Submitted"] == "auto-generated" and stp.message["Message-ID"]
    assert stp.subject == "[CCHC] Nhắc nộp số liệu 6 tháng đầu năm 2024: hạn 10/06/2024"
    body = stp.body
    assert body.startswith("Kính gửi Lê Văn Nam,\n")
    assert ("Sở Tư pháp chưa nộp số liệu cho Báo cáo kết quả thực hiện công tác cải cách hành chính 6 tháng đầu "
            "năm 2024 của tỉnh Hà Tĩnh.") in body
    assert "Hạn nộp số liệu: ngày 10/06/2024 (còn 3 ngày)." in body
    assert "Số liệu kỳ này dùng chung cho các kỳ: Quý II/2024, 6 tháng 2024" in body
    missing = open_tasks(office, "Sở Tư pháp", "2024-Q2")
    assert missing == ["II.3", "II.4"]  # the demo's II.1 and II.2 have a quý II update
    with office.sessions() as session:
        titles = {f"{t.area.numeral}.{t.number}": t.title for t in session.scalars(select(Task))
                  if t.plan.unit.code == "HT"}
    assert "Nhiệm vụ chưa cập nhật tiến độ kỳ này (2):" in body
    listed = [line for line in body.splitlines() if line.startswith("- Nhiệm vụ ")]
    assert listed == [f"- Nhiệm vụ {number}: {' '.join(titles[number].split())}" for number in missing]

    (tc,) = sink.to("tc@stc.example.org")
    assert "Sở Tài chính chưa nộp số liệu" in tc.body
    assert "Số liệu đã nộp bị trả lại, lý do: Thiếu số liệu chỉ tiêu tài chính công." in tc.body
    assert "Các nhiệm vụ đều đã cập nhật tiến độ kỳ này; chỉ còn bước nộp số liệu." in tc.body
    assert sent_rows(office) == [("stp", f"agency:{_agency_id(office, 'Sở Tư pháp')}", "2024-Q2", "before"),
                                 ("tc", f"agency:{_agency_id(office, 'Sở Tài chính')}", "2024-Q2", "before")]


def _agency_id(services: Services, name: str) -> int:
    with services.sessions() as session:
        return agency(session, name).id


def test_a_second_run_sends_nothing_twice(office: Services, sink: Sink) -> None:
    services = mailing(office)
    assert len(send_reminders(services, H1_DAY).sent) == 2
    again = send_reminders(services, H1_DAY)
    assert again.due == [] and again.sent == []
    next_day = send_reminders(services, H1_DAY + dt.timedelta(days=1))  # still before the deadline: sent already
    on_deadline = send_reminders(services, dt.date(2024, 6, 10))
    assert next_day.sent == on_deadline.sent == []
    assert len(sink.messages) == 2 and len(sent_rows(office)) == 2


def test_nothing_before_the_reminder_days_nor_for_a_unit_without_a_deadline(office: Services, sink: Sink) -> None:
    services = mailing(office)
    assert send_reminders(services, dt.date(2024, 6, 6)).due == []  # four days before
    with office.transaction() as session:
        apply_changes(unit(session, "HT"), validate_changes({"reminder_days": "5"}))
    assert sorted(r.username for r in send_reminders(services, dt.date(2024, 6, 5)).sent) == ["stp", "tc"]
    with office.transaction() as session:
        apply_changes(unit(session, "HT"), validate_changes({"data_due_day": ""}))  # no deadline: no reminders
        session.execute(delete(ReminderSent))
    assert send_reminders(services, dt.date(2024, 6, 9)).due == []
    assert len(sink.messages) == 2


def test_the_windows_are_those_of_the_reports_the_office_files(office: Services, sink: Sink) -> None:
    services = mailing(office)
    with office.transaction() as session:
        apply_changes(unit(session, "HT"), validate_changes({"reports": "Q1,Q3,M9,Y"}))  # no 6 tháng
    assert send_reminders(services, H1_DAY).due == []
    run = send_reminders(services, dt.date(2024, 9, 8))  # quý III and 9 tháng: one window, one mail each
    assert sorted(r.username for r in run.sent) == ["stp", "tc", "tttt", "vpubnd"]  # their submissions were quý II's
    (stp,) = sink.to("stp@example.org")
    assert stp.subject == "[CCHC] Nhắc nộp số liệu quý III năm 2024 / 9 tháng năm 2024: hạn 10/09/2024"
    assert {r.period_key for r in run.sent} == {"2024-Q3"}


# ---------------------------------------------------------------- after the deadline

def test_late_mails_go_the_day_after_the_deadline_once_to_those_still_late(office: Services, sink: Sink) -> None:
    services = mailing(office)
    send_reminders(services, H1_DAY)
    submission(office, "HT", "Sở Tư pháp", "submitted")  # stp hands in on 09/06
    assert send_reminders(services, dt.date(2024, 6, 10)).sent == []
    late = send_reminders(services, dt.date(2024, 6, 11))
    assert [r.username for r in late.sent] == ["tc"]
    latest = sink.to("tc@stc.example.org")[-1]
    assert latest.subject == "[CCHC] Quá hạn nộp số liệu 6 tháng đầu năm 2024 (hạn 10/06/2024)"
    assert "Hạn nộp số liệu: ngày 10/06/2024 (đã quá hạn 1 ngày)." in latest.body
    assert send_reminders(services, dt.date(2024, 6, 12)).sent == []  # once
    assert [row[3] for row in sent_rows(office) if row[0] == "tc"] == ["before", "late"]
    assert len(sink.to("stp@example.org")) == 1


def test_a_late_reminder_missed_on_the_day_after_still_goes_within_thirty_days(office: Services, sink: Sink) -> None:
    services = mailing(office)
    assert sorted(r.username for r in send_reminders(services, dt.date(2024, 7, 10)).sent) == ["stp", "tc"]
    assert all(m.subject.startswith("[CCHC] Quá hạn") for m in sink.messages)
    assert "(đã quá hạn 30 ngày)" in sink.messages[0].body
    with office.transaction() as session:
        session.execute(delete(ReminderSent))
    assert send_reminders(services, dt.date(2024, 7, 11)).due == []  # 31 days after: no mail about it any more


# ---------------------------------------------------------------- a unit as the party

def test_units_below_an_office_are_reminded_through_their_admins(demo_services: Services, sink: Sink) -> None:
    make_office(demo_services, "HT-TH")  # the district collects its communes' data
    add_user(demo_services, "td.admin", "admin", "HT-TH-TD", email="vanphong@thachdai.example.org")
    add_user(demo_services, "td.xem", "viewer", "HT-TH-TD", email="xem@thachdai.example.org")
    add_user(demo_services, "tl.admin", "admin", "HT-TH-TL", email="vanphong@thachlong.example.org")
    add_user(demo_services, "cb.admin", "admin", "HT-CX-CB", email="vanphong@cambinh.example.org")  # other district
    submission(demo_services, "HT-TH-TL", None, "approved")
    run = send_reminders(mailing(demo_services), H1_DAY)
    assert [(r.username, r.party, r.period_key) for r in run.sent] == [("td.admin", "unit", "2024-Q2")]
    (mail,) = sink.messages
    assert mail.recipients == ["vanphong@thachdai.example.org"]
    assert ("Xã Thạch Đài chưa nộp số liệu cho Báo cáo kết quả thực hiện công tác cải cách hành chính 6 tháng đầu "
            "năm 2024 của huyện Thạch Hà.") in mail.body
    with demo_services.sessions() as session:
        commune = unit(session, "HT-TH-TD")
        updated = set(session.scalars(select(StatusUpdate.task_id).where(StatusUpdate.period_key == "2024-Q2")))
        tasks = [t for t in session.scalars(select(Task)) if t.plan.unit_id == commune.id]
        expected = [f"- Nhiệm vụ {t.area.numeral}.{t.number}: {' '.join(t.title.split())}"
                    for t in sorted(tasks, key=lambda t: (t.area.position, t.position)) if t.id not in updated]
        shown_updated = [f"Nhiệm vụ {t.area.numeral}.{t.number}:" for t in tasks if t.id in updated]
    assert expected and [line for line in mail.body.splitlines() if line.startswith("- Nhiệm vụ ")] == expected
    assert not any(text in mail.body for text in shown_updated)


# ---------------------------------------------------------------- the command line

def test_dry_run_lists_who_would_get_what_and_sends_and_records_nothing(office: Services, sink: Sink,
                                                                       runner: CliRunner) -> None:
    result = ok(runner, "reminders", "send", "--date", "07/06/2024", "--dry-run")
    lines = result.stdout.splitlines()
    assert lines[0] == ("Nhắc trước hạn: tc <tc@stc.example.org> · Sở Tài chính · 6 tháng đầu năm 2024 · "
                        "hạn 10/06/2024 · 0 nhiệm vụ chưa cập nhật")
    assert lines[1] == ("Nhắc trước hạn: stp <stp@example.org> · Sở Tư pháp · 6 tháng đầu năm 2024 · hạn 10/06/2024 · "
                        "2 nhiệm vụ chưa cập nhật")
    assert lines[2].startswith("    Nhiệm vụ II.3: ") and lines[3].startswith("    Nhiệm vụ II.4: ")
    assert lines[4:] == ["Chạy thử ngày 07/06/2024: 2 thư nhắc sẽ được gửi; chưa gửi, chưa ghi lại thư nào."]
    assert sink.messages == [] and sent_rows(office) == []


def test_dry_run_needs_no_mail_server(office: Services, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPORTSVC_SMTP_URL", raising=False)
    result = ok(runner, "reminders", "send", "--date", "07/06/2024", "--dry-run")
    assert result.stdout.endswith("2 thư nhắc sẽ được gửi; chưa gửi, chưa ghi lại thư nào.\n")


def test_a_real_run_prints_how_many_were_sent(office: Services, sink: Sink, runner: CliRunner) -> None:
    assert ok(runner, "reminders", "send", "--date", "07/06/2024").stdout == "Đã gửi 2 thư nhắc ngày 07/06/2024.\n"
    assert ok(runner, "reminders", "send", "--date", "07/06/2024").stdout == "Đã gửi 0 thư nhắc ngày 07/06/2024.\n"
    assert len(sink.messages) == 2


def test_an_unreachable_server_is_one_line_exit_2_and_nothing_is_recorded(office: Services, runner: CliRunner,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()  # nothing listens there
    monkeypatch.setenv("REPORTSVC_SMTP_URL", f"smtp://127.0.0.1:{port}")
    monkeypatch.setenv("REPORTSVC_MAIL_FROM", SENDER)
    line = refused(runner, "reminders", "send", "--date", "07/06/2024")
    assert line == (f"Lỗi: Không kết nối được với máy chủ thư smtp://127.0.0.1:{port} (REPORTSVC_SMTP_URL): "
                    f"máy chủ từ chối kết nối (không có dịch vụ thư ở cổng này).")
    assert sent_rows(office) == []


def test_no_mail_server_configured_is_one_line_exit_2(office: Services, runner: CliRunner,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPORTSVC_SMTP_URL", raising=False)
    line = refused(runner, "reminders", "send", "--date", "07/06/2024")
    assert line.startswith("Lỗi: Chưa cấu hình máy chủ thư: đặt biến môi trường REPORTSVC_SMTP_URL")
    monkeypatch.setenv("REPORTSVC_SMTP_URL", "smtp://127.0.0.1:2525")  # a server, but no sender address
    monkeypatch.delenv("REPORTSVC_MAIL_FROM", raising=False)
    assert refused(runner, "reminders", "send").startswith("Lỗi: Chưa có địa chỉ người gửi thư: đặt biến môi trường "
                                                           "REPORTSVC_MAIL_FROM")
    assert sent_rows(office) == []


def test_a_server_that_refuses_a_recipient_leaves_that_reminder_for_the_next_run(office: Services,
                                                                                 runner: CliRunner,
                                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    class Picky(Sink):
        async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                              options: list[str]) -> str:
            if address.startswith("tc@"):
                return "550 5.1.1 Không có hộp thư này"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    picky, port = Picky(), free_port()
    controller = Controller(picky, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setenv("REPORTSVC_SMTP_URL", f"smtp://127.0.0.1:{port}")
        monkeypatch.setenv("REPORTSVC_MAIL_FROM", SENDER)
        result = runner.invoke(main, ["reminders", "send", "--date", "07/06/2024"])
    finally:
        controller.stop()
    assert result.exit_code == 0
    assert result.stdout == "Đã gửi 1 thư nhắc ngày 07/06/2024. 1 thư không gửi được, sẽ thử lại lần chạy sau.\n"
    assert result.stderr.startswith("Cảnh báo: không gửi được thư nhắc cho tc: Máy chủ thư smtp://127.0.0.1:")
    assert [m.recipients for m in picky.messages] == [["stp@example.org"]]
    assert [row[0] for row in sent_rows(office)] == ["stp"]


def test_with_user_only_an_admin_sends_and_only_for_its_units(office: Services, sink: Sink,
                                                              runner: CliRunner) -> None:
    assert refused(runner, "--user", "stp", "reminders", "send", "--date", "07/06/2024") == \
        "Lỗi: Tài khoản 'stp' (editor) không có quyền quản trị."
    add_user(office, "td.admin", "admin", "HT-TH-TD", email="vanphong@thachdai.example.org")
    assert ok(runner, "--user", "td.admin", "reminders", "send", "--date", "07/06/2024").stdout == \
        "Đã gửi 0 thư nhắc ngày 07/06/2024.\n"  # the province's reminders are not a commune's to send
    assert ok(runner, "--user", "admin", "reminders", "send", "--date", "07/06/2024").stdout == \
        "Đã gửi 2 thư nhắc ngày 07/06/2024.\n"


# ---------------------------------------------------------------- the SMTP URL: credentials, TLS

def test_the_smtp_url_is_taken_apart() -> None:
    assert parse_smtp_url("smtps://cchc%40sonoivu.gov.vn:m%E1%BA%ADt%3Akh%E1%BA%A9u@Mail.SoNoiVu.gov.vn") == \
        SmtpServer("smtps", "mail.sonoivu.gov.vn", 465, "cchc@sonoivu.gov.vn", "mật:khẩu")
    assert parse_smtp_url("smtp://relay.local") == SmtpServer("smtp", "relay.local", 25)
    assert parse_smtp_url("SMTP://u:p@[::1]:2525").shown == "smtp://u@[::1]:2525"
    settings = load_settings(environ={"REPORTSVC_SMTP_URL": "smtp://cchc%40tinh.gov.vn:bi-mat@mail.tinh.gov.vn:587"})
    assert settings.smtp == SmtpServer("smtp", "mail.tinh.gov.vn", 587, "cchc@tinh.gov.vn", "bi-mat")
    assert settings.sender == ("", "cchc@tinh.gov.vn")  # no REPORTSVC_MAIL_FROM: the user name when an address
    assert "bi-mat" not in repr(settings)


@pytest.mark.parametrize(("url", "reason"), [
    ("http://mail.tinh.gov.vn", "chỉ nhận smtp:// hoặc smtps://, không nhận 'http'"),
    ("mail.tinh.gov.vn:25", "chỉ nhận smtp:// hoặc smtps://, không nhận 'mail.tinh.gov.vn'"),
    ("smtp://", "thiếu tên máy chủ thư"),
    ("smtp://mail.tinh.gov.vn:cong", "cổng phải là một số từ 1 đến 65535"),
    ("smtp://mail.tinh.gov.vn:70000", "cổng phải là một số từ 1 đến 65535"),
    ("smtp://cchc:bi-mat@mail.tinh.gov.vn/hop-thu", "sau máy chủ và cổng không được có đường dẫn hay tham số"),
    ("smtp://:bi-mat@mail.tinh.gov.vn", "có mật khẩu mà thiếu tên đăng nhập"),
])
def test_a_malformed_smtp_url_is_refused_at_start_up_without_showing_it(url: str, reason: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"REPORTSVC_SMTP_URL": url})
    assert str(caught.value) == (f"REPORTSVC_SMTP_URL không hợp lệ: {reason} (cần dạng smtp://tên:mật-khẩu@máy-chủ:587 "
                                 f"hoặc smtps://tên:mật-khẩu@máy-chủ:465).")
    assert "bi-mat" not in str(caught.value)


def test_a_malformed_sender_is_refused_at_start_up(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTSVC_MAIL_FROM", "Sở Nội vụ <cchc@sonoivu>")
    result = runner.invoke(main, ["units", "list"])
    assert result.exit_code == 2
    assert result.stderr == ("Lỗi: REPORTSVC_MAIL_FROM: Địa chỉ thư điện tử không hợp lệ: 'cchc@sonoivu' (cần dạng "
                             "ten@coquan.gov.vn, không dấu, không có khoảng trắng).\n")


def _certificate(directory: Path, name: str) -> tuple[Path, Path]:
    """Write a self-signed certificate (its own authority) for 127.0.0.1 and its key; return their paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(hours=1))
                   .not_valid_after(now + dt.timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                                  critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
                   .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / f"{name}.pem", directory / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def server_tls(tmp_path: Path) -> tuple[Path, ssl.SSLContext]:
    """Return a self-signed certificate for 127.0.0.1 (not trusted by the system) and a server context with it."""
    cert, key = _certificate(tmp_path, "may-chu-thu")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return cert, context


class Authenticating:
    """An SMTP server on 127.0.0.1 that requires AUTH with one user name and password, over TLS."""

    def __init__(self, login: str, password: str, context: ssl.SSLContext, implicit: bool = False) -> None:
        self.sink, self.port, self.login, self.password = Sink(), free_port(), login, password
        # aiosmtpd offers AUTH over implicit TLS only when told not to require STARTTLS for it (and then
        # warns about requiring AUTH: AUTH is optional there, the client signs in anyway)
        tls: dict[str, Any] = {"ssl_context": context, "auth_require_tls": False, "auth_required": False} \
            if implicit else {"tls_context": context, "require_starttls": True, "auth_required": True}
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port, authenticator=self.check, **tls)

    def check(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        """Accept only the configured user name and password."""
        good = isinstance(data, LoginPassword) and data.login.decode() == self.login and \
            data.password.decode() == self.password
        return AuthResult(success=good, handled=False)  # not handled: aiosmtpd answers 535 itself


@pytest.mark.parametrize("password", ["bi-mat-2024", "mật khẩu:@/2024"])
def test_credentials_of_the_url_sign_in_after_starttls(password: str, office: Services, runner: CliRunner,
                                                       server_tls: tuple[Path, ssl.SSLContext],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from urllib.parse import quote

    cert, context = server_tls
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust the test server's certificate (it is still checked)
    server = Authenticating("cchc@sonoivu.hatinh.gov.vn", password, context)
    server.controller.start()
    try:
        monkeypatch.setenv("REPORTSVC_SMTP_URL", f"smtp://cchc%40sonoivu.hatinh.gov.vn:{quote(password, safe='')}"
                                                 f"@127.0.0.1:{server.port}")
        monkeypatch.delenv("REPORTSVC_MAIL_FROM", raising=False)  # the sender is the user name
        assert ok(runner, "reminders", "send", "--date", "07/06/2024").stdout == "Đã gửi 2 thư nhắc ngày 07/06/2024.\n"
        monkeypatch.setenv("REPORTSVC_SMTP_URL", f"smtp://cchc%40sonoivu.hatinh.gov.vn:sai@127.0.0.1:{server.port}")
        with office.transaction() as session:
            session.execute(delete(ReminderSent))
        line = refused(runner, "reminders", "send", "--date", "07/06/2024")
    finally:
        server.controller.stop()
    assert {m.authenticated for m in server.sink.messages} == {True} and len(server.sink.messages) == 2
    assert {m.mail_from for m in server.sink.messages} == {"cchc@sonoivu.hatinh.gov.vn"}
    assert line == (f"Lỗi: Không kết nối được với máy chủ thư smtp://cchc@sonoivu.hatinh.gov.vn@127.0.0.1:{server.port} "
                    f"(REPORTSVC_SMTP_URL): máy chủ không chấp nhận tên đăng nhập hoặc mật khẩu.")
    assert sent_rows(office) == []


@pytest.mark.parametrize("implicit", [True, False], ids=["smtps", "smtp-starttls"])
def test_tls_is_implicit_or_by_starttls_and_the_certificate_is_checked(
        implicit: bool, server_tls: tuple[Path, ssl.SSLContext], monkeypatch: pytest.MonkeyPatch) -> None:
    cert, context = server_tls
    server = Authenticating("cchc", "bi-mat", context, implicit=implicit)
    server.controller.start()
    scheme = "smtps" if implicit else "smtp"
    try:
        settings = load_settings(environ={"REPORTSVC_SMTP_URL": f"{scheme}://cchc:bi-mat@127.0.0.1:{server.port}",
                                          "REPORTSVC_MAIL_FROM": SENDER})
        with pytest.raises(MailError) as untrusted:  # the system does not trust this self-signed certificate
            connect(settings).open()
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # … unless told to: then TLS is set up and checked
        with connect(settings) as mail_server:
            mail_server.send(Mail("stp@example.org", "Lê Văn Nam", "Thư thử qua TLS", "Nội dung có dấu: ạ ế ữ.\n"))
    finally:
        server.controller.stop()
    assert str(untrusted.value).startswith(f"Không kết nối được với máy chủ thư {scheme}://cchc@127.0.0.1:{server.port} "
                                           f"(REPORTSVC_SMTP_URL): chứng chỉ TLS của máy chủ không hợp lệ")
    (received,) = server.sink.messages
    assert received.authenticated and received.subject == "Thư thử qua TLS"
    assert received.message["To"].addresses[0].display_name == "Lê Văn Nam"
    assert received.body == "Nội dung có dấu: ạ ế ữ.\n"


def test_no_password_over_a_connection_without_tls(smtp_server: tuple[Sink, int]) -> None:
    sink, port = smtp_server  # offers no STARTTLS
    settings = load_settings(environ={"REPORTSVC_SMTP_URL": f"smtp://cchc:bi-mat@127.0.0.1:{port}",
                                      "REPORTSVC_MAIL_FROM": SENDER})
    with pytest.raises(MailError) as caught:
        connect(settings).open()
    assert str(caught.value) == (f"Máy chủ thư smtp://cchc@127.0.0.1:{port} không hỗ trợ STARTTLS: không gửi mật khẩu "
                                 f"qua kết nối không mã hóa. Hãy dùng smtps:// hoặc một máy chủ có STARTTLS.")
    plain = load_settings(environ={"REPORTSVC_SMTP_URL": f"smtp://127.0.0.1:{port}", "REPORTSVC_MAIL_FROM": SENDER})
    with connect(plain) as mail_server:  # without a password a plain relay is fine
        mail_server.send(Mail("stp@example.org", "", "Thư thử", "Nội dung.\n"))
    assert [m.subject for m in sink.messages] == ["Thư thử"]


# ---------------------------------------------------------------- the scheduler

def test_the_scheduler_registers_the_daily_reminders_job(office: Services, sink: Sink,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    from reportsvc.services import schedule

    scheduler = BackgroundScheduler(timezone=schedule.TIMEZONE)
    assert schedule.add_jobs(scheduler, mailing(office), hour=7) == [schedule.REPORTS_JOB, schedule.REMINDERS_JOB]
    job = scheduler.get_job(schedule.REMINDERS_JOB)
    fields = {field.name: str(field) for field in job.trigger.fields}
    assert (fields["hour"], fields["minute"], fields["day"], str(job.trigger.timezone)) == \
        ("7", "0", "*", "Asia/Ho_Chi_Minh")
    assert job.func is schedule.send_due_reminders
    monkeypatch.setattr("reportsvc.services.reminders.vietnam_today", lambda: H1_DAY)  # the job runs on 07/06/2024
    assert job.func(*job.args, **job.kwargs) == 2
    assert sorted(a for m in sink.messages for a in m.recipients) == ["stp@example.org", "tc@stc.example.org"]

    without = BackgroundScheduler(timezone=schedule.TIMEZONE)
    monkeypatch.delenv("REPORTSVC_SMTP_URL")
    assert schedule.add_jobs(without, mailing(office)) == [schedule.REPORTS_JOB]  # no mail server: no reminders job
    assert [j.id for j in without.get_jobs()] == [schedule.REPORTS_JOB]


def test_the_scheduler_refuses_a_mail_server_without_a_sender(office: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    from reportsvc.services import schedule

    monkeypatch.setenv("REPORTSVC_SMTP_URL", "smtp://relay.local")
    monkeypatch.delenv("REPORTSVC_MAIL_FROM", raising=False)
    with pytest.raises(MailError, match="REPORTSVC_MAIL_FROM"):
        schedule.add_jobs(BackgroundScheduler(timezone=schedule.TIMEZONE), mailing(office))
