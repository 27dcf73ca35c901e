"""Reminders by e-mail: before a party's data deadline, and once after it while the party is late.

Who owes what:

- An *office* is a unit whose settings set ``data_due_day``: its departments and the units right
  below it hand their data to it. Its *windows* are the record keys of the reports it files
  (``reports``): Q1 is quý I's window, H1 quý II's (6 tháng shares its record), Q3 and M9 quý III's,
  Y quý IV's (reportsvc.periods.Period.record_key). A window's deadline is ``data_due_day`` of its
  last month (reportsvc.collect.timeliness.deadline_of).
- The *parties* of a window: each current department of the office that leads (chủ trì) a task of
  the office's plan for the window's year (a multi-year plan: the tasks that apply that year; a task
  led by a group such as "Các sở, ban, ngành" makes no department a party), and each current unit
  right below the office (party "unit"), the tasks of its own plan for the year being its tasks.
- A party owes the window while it has no submission for it that is submitted or approved (none
  yet, or returned: reportsvc.collect.timeliness.SUBMITTED). A department is also done when its
  whole unit handed in the unit's data.
- Recipients: the party's active users with an e-mail address: a department's editors, a unit's
  admins.

When: a "before" reminder on any day from ``reminder_days`` before the deadline to the deadline
itself, and a "late" one on any day from the day after it, for at most :data:`LATE_DAYS` days (a
database set up later, or a unit that never hands in, does not get mail about windows of long
ago). Each kind goes to each user once per party and window.

Once only, and never lost: every reminder is a row of ``reminders_sent``, written in its own
transaction around the sending. The row is inserted first (a second run at the same moment waits
on its unique key, then skips the reminder), the message is handed to the mail server, then the
row is committed; a refused message rolls its row back, so the next run tries again. A crash
between the server's acceptance and the commit therefore sends that one reminder again on the next
run: at least once, never recorded unsent, since a lost reminder would go unnoticed while a
second copy only annoys.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from reportsvc.collect.context import governing_plans, listed_in_year
from reportsvc.collect.timeliness import SUBMITTED, UNIT_PARTY, party_of, vietnam_today
from reportsvc.db.models import Agency, PlanArea, ReminderSent, StatusUpdate, Submission, Task, TaskAgency, Unit, User
from reportsvc.db.tenancy import scope_of
from reportsvc.db.unitsettings import settings_of
from reportsvc.periods import Period, parse_period
from reportsvc.services.mail import Mail, MailError, RecipientRefused, connect
from reportsvc.services.runtime import Services

KINDS = {"before": "Nhắc trước hạn", "late": "Quá hạn"}
LATE_DAYS = 30
"""A late reminder goes on any day from the day after the deadline up to this many days after it."""


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Reminder:
    """One reminder mail to one user about one party's window."""

    kind: str  # before | late
    today: date
    user_id: int
    username: str
    full_name: str
    email: str
    unit_id: int  # the party's unit (the office for a department)
    party: str  # "agency:<id>" or "unit" (reportsvc.collect.timeliness.party_of)
    party_name: str
    office_name: str
    period_key: str  # the window's record key
    reports: tuple[Period, ...]  # the office's reports served by the window
    deadline: date
    tasks: tuple[tuple[str, str], ...] = ()  # (number "II.3", title) of the tasks without an update
    returned_reason: str = ""

    @property
    def reports_label(self) -> str:
        """Return the periods of the reports the window serves: "quý III năm 2024 / 9 tháng năm 2024"."""
        return " / ".join(period.label for period in self.reports)

    @property
    def subject(self) -> str:
        """Return the mail's subject line."""
        if self.kind == "late":
            return f"[CCHC] Quá hạn nộp số liệu {self.reports_label} (hạn {self.deadline:%d/%m/%Y})"
        return f"[CCHC] Nhắc nộp số liệu {self.reports_label}: hạn {self.deadline:%d/%m/%Y}"

    def _when(self) -> str:
        days = (self.deadline - self.today).days
        if days > 0:
            return f"ngày {self.deadline:%d/%m/%Y} (còn {days} ngày)"
        if days == 0:
            return f"ngày {self.deadline:%d/%m/%Y} (hôm nay là hạn cuối)"
        return f"ngày {self.deadline:%d/%m/%Y} (đã quá hạn {-days} ngày)"

    @property
    def body(self) -> str:
        """Return the mail's text: the report and period, the deadline, the tasks still without an update."""
        serves = ", ".join(period.short_label for period in parse_period(self.period_key).serves())
        lines = [
            f"Kính gửi {self.full_name or self.username},",
            "",
            f"{_capital(self.party_name)} chưa nộp số liệu cho Báo cáo kết quả thực hiện công tác cải cách hành "
            f"chính {self.reports_label} của {self.office_name}.",
            f"Hạn nộp số liệu: {self._when()}.",
            f"Số liệu kỳ này dùng chung cho các kỳ: {serves} (số liệu lũy kế từ đầu năm).",
        ]
        if self.returned_reason:
            lines.append(f"Số liệu đã nộp bị trả lại, lý do: {self.returned_reason}")
        lines.append("")
        if self.tasks:
            lines.append(f"Nhiệm vụ chưa cập nhật tiến độ kỳ này ({len(self.tasks)}):")
            lines += [f"- Nhiệm vụ {number}: {title}" for number, title in self.tasks]
        else:
            lines.append("Các nhiệm vụ đều đã cập nhật tiến độ kỳ này; chỉ còn bước nộp số liệu.")
        lines += [
            "",
            "Đề nghị cập nhật tiến độ, số liệu chỉ tiêu và nộp số liệu kỳ này trên hệ thống báo cáo cải cách "
            "hành chính." if self.tasks else "Đề nghị nộp số liệu kỳ này trên hệ thống báo cáo cải cách hành chính.",
            "",
            "Thư này do hệ thống báo cáo cải cách hành chính gửi tự động; vui lòng không trả lời thư này.",
        ]
        return "\n".join(lines) + "\n"

    def mail(self) -> Mail:
        """Return the message to send."""
        return Mail(self.email, self.full_name, self.subject, self.body)

    def describe(self) -> str:
        """Return one line for the dry run: kind, recipient, party, report and deadline, open tasks."""
        return (f"{KINDS[self.kind]}: {self.username} <{self.email}> · {self.party_name} · {self.reports_label} · "
                f"hạn {self.deadline:%d/%m/%Y} · {len(self.tasks)} nhiệm vụ chưa cập nhật")


@dataclass
class ReminderRun:
    """What one run did: the reminders due (all of them in a dry run), those sent, those that failed."""

    due: list[Reminder] = field(default_factory=list)
    sent: list[Reminder] = field(default_factory=list)
    failed: list[tuple[Reminder, str]] = field(default_factory=list)


# ---------------------------------------------------------------- who owes what

def _windows(office: Unit, today: date) -> list[tuple[str, list[Period], date, str]]:
    """Return (record key, reports it serves, deadline, kind) of the office's windows that need a reminder today."""
    settings = settings_of(office)
    found: dict[str, list[Period]] = {}
    for year in (today.year - 1, today.year):
        for code in settings.reports:
            period = parse_period(f"{year}-{code}")
            found.setdefault(period.record_key, []).append(period)
    windows = []
    for key, periods in sorted(found.items()):
        periods.sort(key=lambda period: "QHMY".index(period.kind))  # "quý III năm 2024 / 9 tháng năm 2024"
        # the deadline of every party of the office (timeliness.deadline_of: the office's data_due_day)
        deadline = settings.data_due(periods[0])
        if deadline is None:
            continue
        if deadline - timedelta(days=settings.reminder_days) <= today <= deadline:
            windows.append((key, periods, deadline, "before"))
        elif deadline < today <= deadline + timedelta(days=LATE_DAYS):
            windows.append((key, periods, deadline, "late"))
    return windows


def _open_tasks(session: Session, tasks: list[Task], key: str) -> tuple[tuple[str, str], ...]:
    """Return (number, title) of the tasks without a status update stored under the window's key."""
    if not tasks:
        return ()
    updated = set(session.scalars(select(StatusUpdate.task_id).where(
        StatusUpdate.task_id.in_([task.id for task in tasks]), StatusUpdate.period_key == key)))
    ordered = sorted(tasks, key=lambda task: (task.area.position, task.position, task.id))
    return tuple((f"{task.area.numeral}.{task.number.rstrip('.')}", " ".join(task.title.split()))
                 for task in ordered if task.id not in updated)


def _year_tasks(session: Session, unit: Unit, year: int) -> list[Task]:
    """Return the tasks of the unit's plan for ``year`` that belong in that year's lists."""
    plans = governing_plans(session, [unit.id], year)
    if not plans:
        return []
    plan = plans[0]
    stmt = (select(Task).where(Task.plan_id == plan.id)
            .options(selectinload(Task.agencies), selectinload(Task.updates), selectinload(Task.area)))
    cutoff = settings_of(unit).cutoff
    return [task for task in session.scalars(stmt) if listed_in_year(task, plan, year, cutoff)]


def _submission(session: Session, unit_id: int, parties: list[str], key: str) -> tuple[bool, str]:
    """Return (done, reason it was returned) for the parties' submissions of the window."""
    rows = list(session.scalars(select(Submission).where(Submission.unit_id == unit_id, Submission.party.in_(parties),
                                                         Submission.period_key == key)))
    if any(row.state in SUBMITTED for row in rows):
        return True, ""
    return False, next((" ".join(row.reason.split()) for row in rows if row.state == "returned" and row.reason), "")


def _recipients(session: Session, unit_id: int, agency_id: int | None) -> list[User]:
    """Return the active users with an address who act for the party: its editors, or the unit's admins."""
    stmt = select(User).where(User.active.is_(True), User.email != "", User.unit_id == unit_id)
    stmt = stmt.where(User.role == "editor", User.agency_id == agency_id) if agency_id is not None else \
        stmt.where(User.role == "admin")
    return list(session.scalars(stmt.order_by(User.username)))


def _already_sent(session: Session, user: User, unit_id: int, party: str, key: str, kind: str) -> bool:
    return session.scalar(select(ReminderSent.id).where(
        ReminderSent.user_id == user.id, ReminderSent.unit_id == unit_id, ReminderSent.party == party,
        ReminderSent.period_key == key, ReminderSent.kind == kind)) is not None


def due_reminders(session: Session, today: date) -> list[Reminder]:
    """Return every reminder that should go out on ``today`` and has not been sent yet.

    Under a unit scope (``--user``) only the offices of that user's units are considered.
    """
    scope = scope_of(session)
    offices = [unit for unit in session.scalars(select(Unit).order_by(Unit.code))
               if unit.current_on(today) and settings_of(unit).data_due_day is not None
               and (scope is None or unit.id in scope.unit_ids)]
    reminders: list[Reminder] = []
    for office in offices:
        for key, periods, deadline, kind in _windows(office, today):
            common = {"kind": kind, "today": today, "office_name": office.name, "period_key": key,
                      "reports": tuple(periods), "deadline": deadline}
            year = periods[0].year
            tasks = _year_tasks(session, office, year)
            leads: dict[int, list[Task]] = {}
            for task in tasks:
                for role in task.agencies:
                    if role.role == "lead":
                        leads.setdefault(role.agency_id, []).append(task)
            agencies = list(session.scalars(select(Agency).where(  # the office's own current departments
                Agency.id.in_(list(leads)), Agency.unit_id == office.id, Agency.successor_id.is_(None))
                .order_by(Agency.name))) if leads else []
            parties: list[tuple[int, int | None, str, list[Task]]] = [
                (office.id, agency.id, agency.name, leads[agency.id]) for agency in agencies]
            for child in office.children:
                if child.current_on(today):
                    parties.append((child.id, None, child.name, _year_tasks(session, child, year)))
            for unit_id, agency_id, name, owned in parties:
                party = party_of(agency_id)
                done, reason = _submission(session, unit_id, sorted({party, UNIT_PARTY}), key)
                if done:
                    continue
                open_tasks: tuple[tuple[str, str], ...] | None = None
                for user in _recipients(session, unit_id, agency_id):
                    if _already_sent(session, user, unit_id, party, key, kind):
                        continue
                    if open_tasks is None:
                        open_tasks = _open_tasks(session, owned, key)
                    reminders.append(Reminder(user_id=user.id, username=user.username, full_name=user.full_name,
                                              email=user.email, unit_id=unit_id, party=party, party_name=name,
                                              tasks=open_tasks, returned_reason=reason, **common))
    return reminders


# ---------------------------------------------------------------- sending

def send_reminders(services: Services, today: date, *, dry_run: bool = False) -> ReminderRun:
    """Send (or, with ``dry_run``, only list) the reminders due on ``today``; each is recorded once sent.

    The mail server is opened only when something is to be sent. A server that cannot be reached
    raises MailError before anything is recorded; one that refuses a recipient leaves that reminder
    unrecorded (listed in ``failed``) and the run goes on; one that breaks off midway raises MailError
    after keeping the reminders already sent.
    """
    with services.sessions() as session:
        due = due_reminders(session, today)
    run = ReminderRun(due=due)
    if dry_run or not due:
        return run
    with connect(services.settings) as server:
        for reminder in due:
            with services.sessions() as session:
                session.add(ReminderSent(user_id=reminder.user_id, unit_id=reminder.unit_id, party=reminder.party,
                                         period_key=reminder.period_key, kind=reminder.kind, email=reminder.email))
                try:
                    session.flush()  # claims the reminder: a concurrent run waits here, then skips it
                except IntegrityError:
                    session.rollback()
                    continue
                try:
                    server.send(reminder.mail())
                except RecipientRefused as exc:
                    session.rollback()
                    run.failed.append((reminder, str(exc)))
                    continue
                except MailError as exc:
                    session.rollback()
                    raise MailError(f"{exc} Đã gửi {len(run.sent)} thư nhắc trước khi lỗi.") from exc
                session.commit()
            run.sent.append(reminder)
    return run
