"""Reports on Celery workers over a real Redis: a batch made once on two workers, a worker killed in the middle
of a batch, the scheduler's due runs queued, and the refusals (broker unset, unusable or unreachable).

Each test starts what it needs for real: redis-server on a free port in a temporary folder (once per
session), and ``reportsvc worker`` processes on the test's database. Without redis-server the tests are
skipped, unless REPORTSVC_REQUIRE_ALL=1 (scripts/test.sh): then they fail.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

import click
import pytest
import redis
from click.testing import CliRunner
from sqlalchemy import func, select

from reportsvc.cli.main import main
from reportsvc.config import ConfigError, load_settings
from reportsvc.db.models import GeneratedReport, Unit
from reportsvc.periods import parse_period
from reportsvc.services import queue
from reportsvc.services.batch import FAILED, MADE, SKIPPED, BatchUnit, select_units
from reportsvc.services.runtime import Services, create_services
from reportsvc.services.schedule import add_jobs, run_due
from tests.cli_helpers import refused
from tests.conftest import require_all

COMMUNES = ["HT-CX-CB", "HT-CX-CV", "HT-TH-TD", "HT-TH-TL"]  # the demo's communes, each with a 2024 plan
SLOW_UNIT = "HT-TH-TD"
TASK_SECONDS = 60  # REPORTSVC_TASK_SECONDS of the tests' workers: no report here takes that long
KILL_TASK_SECONDS = 8  # … but where a killed worker's task must come back soon (after 2 x 8 s)
# The worker command as ``reportsvc worker`` runs it (the main group with its options and error handling).
WORKER_BOOT = "import sys; from reportsvc.cli.main import main; main(sys.argv[1:], prog_name='reportsvc')"


# ---------------------------------------------------------------- Redis and workers, for real

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start redis-server on a free port in a temporary folder; return its URL."""
    program = shutil.which("redis-server")
    if program is None:
        message = "redis-server is not installed: apt-get install redis-server (scripts/setup.sh --test does)"
        if require_all():
            pytest.fail(f"{message}; REPORTSVC_REQUIRE_ALL=1 requires the queue tests to run")
        pytest.skip(message)
    folder = tmp_path_factory.mktemp("redis")
    port = _free_port()
    process = subprocess.Popen([program, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
                                "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 20
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.05)
    client.close()
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture
def broker(redis_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Return the URL of an empty Redis, set as REPORTSVC_BROKER_URL with short task limits."""
    client = redis.Redis.from_url(redis_server)
    client.flushall()
    monkeypatch.setenv("REPORTSVC_BROKER_URL", redis_server)
    monkeypatch.setenv("REPORTSVC_TASK_SECONDS", str(TASK_SECONDS))
    yield redis_server
    client.flushall()
    client.close()


class Workers:
    """``reportsvc worker`` processes of one test, each in its own process group; stopped at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, concurrency: int = 1, **env: str) -> subprocess.Popen[bytes]:
        """Start a worker on the test's settings (the environment) and wait until it takes tasks."""
        log = self.folder / f"worker-{len(self.started)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, "-c", WORKER_BOOT, "worker", "--concurrency", str(concurrency)],
                                       env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        self.started.append(process)
        deadline = time.monotonic() + 90
        while b" ready." not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the worker did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.1)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and its pool processes at once, as a crash or an OOM kill of the machine would."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def stop_all(self) -> None:
        """Stop every worker still running: SIGTERM, then SIGKILL."""
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.started:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)

    def logs(self) -> str:
        """Return every worker's log, for a failing assertion."""
        return "\n".join(path.read_text(errors="replace")[-4000:] for path in sorted(self.folder.glob("worker-*.log")))


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    """Return the test's workers; each is stopped when the test ends."""
    started = Workers(tmp_path)
    yield started
    started.stop_all()


@pytest.fixture
def queued_services(broker: str, demo_services: Services) -> Iterator[Services]:
    """Return Services on the demo database whose settings name the test's Redis."""
    services = create_services(load_settings())
    assert services.settings.broker_url == broker
    yield services
    services.engine.dispose()


def reports_of(services: Services, period_key: str) -> dict[str, list[int]]:
    """Return the archived versions of each unit's own report for the period."""
    with services.sessions() as session:
        rows = session.execute(select(Unit.code, GeneratedReport.version).join(GeneratedReport.unit)
                               .where(GeneratedReport.period_key == period_key, GeneratedReport.agency_id.is_(None))
                               .order_by(Unit.code, GeneratedReport.version)).all()
    found: dict[str, list[int]] = {}
    for code, version in rows:
        found.setdefault(code, []).append(version)
    return found


def wait_until(condition: Callable[[], bool], seconds: float, what: str, logs: Callable[[], str]) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` (with the workers' logs) after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {seconds} s\n{logs()}")
        time.sleep(0.2)


# ---------------------------------------------------------------- a batch on real workers

def test_a_batch_on_two_workers_makes_each_report_once_and_a_second_run_skips(
        queued_services: Services, workers: Workers) -> None:
    period = parse_period("2024-Q2")
    selection = select_units(queued_services, period, under="HT", kinds=("xa",))
    assert [unit.code for unit in selection.todo] == COMMUNES
    unknown = BatchUnit("KHONG-CO", "xã đã xóa", "xa")  # a unit that fails stops no other
    workers.start()
    workers.start()
    seen: list[str] = []
    online: list[int] = []
    outcomes = queue.run_queued(queued_services.settings, replace(selection, todo=[*selection.todo, unknown]),
                                ["docx"], user="cli:test", on_queued=online.append,
                                on_outcome=lambda o: seen.append(o.unit_code), timeout=120)
    assert [(o.unit_code, o.state) for o in outcomes] == [(code, MADE) for code in COMMUNES] + [
        ("KHONG-CO", FAILED)], workers.logs()
    assert outcomes[-1].reason == "Không tìm thấy đơn vị 'KHONG-CO'"
    assert sorted(seen) == sorted([*COMMUNES, "KHONG-CO"]) and online == [2]
    assert reports_of(queued_services, "2024-Q2") == {code: [1] for code in COMMUNES}
    with queued_services.sessions() as session:
        assert set(session.scalars(select(GeneratedReport.created_by))) == {"cli:test"}

    # The same tasks again (a batch resumed, or every task handed out twice): nothing is made twice.
    again = queue.run_queued(queued_services.settings, selection, ["docx"], timeout=120)
    assert [(o.unit_code, o.state, o.version) for o in again] == [(code, SKIPPED, 1) for code in COMMUNES]
    # With ``again`` a batch makes new versions, and its task handed out a second time makes none.
    renewed = select_units(queued_services, period, under="HT", kinds=("xa",), again=True)
    app = queue.make_app(queued_services.settings)
    for state in (MADE, SKIPPED):
        enqueued = queue.enqueue(app, period, [SLOW_UNIT], ["docx"], again=True, made_after=renewed.made_after)
        outcome, = queue.wait(app, enqueued, timeout=120)
        assert (outcome.state, outcome.version) == (state, 2)
    assert reports_of(queued_services, "2024-Q2")[SLOW_UNIT] == [1, 2]


SLEEPER = '''"""Test plugin: the first time the report of {unit} is built, it marks it and waits to be killed."""
import os
import time
from pathlib import Path

from reportsvc.plugin import hookimpl

MARK = Path({mark!r})


@hookimpl
def reportsvc_report_extras(report, context):
    if report.unit_code == {unit!r} and not MARK.exists():
        MARK.write_text(str(os.getpid()))
        time.sleep(300)
    return []
'''


def test_a_worker_killed_in_the_middle_of_a_batch_loses_and_duplicates_nothing(
        queued_services: Services, workers: Workers, tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    mark = tmp_path / "slow-report-started"
    (plugins / "sleeper.py").write_text(SLEEPER.format(unit=SLOW_UNIT, mark=str(mark)), encoding="utf-8")
    env = {"REPORTSVC_PLUGINS_DIR": str(plugins), "REPORTSVC_TASK_SECONDS": str(KILL_TASK_SECONDS)}
    period = parse_period("2024-Q3")
    app = queue.make_app(queued_services.settings)
    first = workers.start(**env)
    order = [SLOW_UNIT] + [code for code in COMMUNES if code != SLOW_UNIT]  # the first worker takes the slow one
    enqueued = queue.enqueue(app, period, order, ["docx"], user="cli:test")
    wait_until(mark.exists, 60, "the slow report's start", workers.logs)
    workers.kill(first)  # the worker and its process, in the middle of the slow report
    assert reports_of(queued_services, "2024-Q3").get(SLOW_UNIT) is None  # nothing of it was archived

    # The new worker makes the others, and the killed task once the visibility timeout has passed.
    workers.start(**env)
    outcomes = queue.wait(app, enqueued, timeout=2 * KILL_TASK_SECONDS + 90)
    assert [(o.unit_code, o.state) for o in outcomes] == [(code, MADE) for code in order], workers.logs()
    assert reports_of(queued_services, "2024-Q3") == {code: [1] for code in COMMUNES}
    assert redis.Redis.from_url(queued_services.settings.broker_url).hlen("unacked") == 0


BROKEN = '''"""Test plugin: the report of {unit} cannot be built."""
from reportsvc.plugin import hookimpl


@hookimpl
def reportsvc_report_extras(report, context):
    if report.unit_code == {unit!r}:
        raise RuntimeError("dữ liệu hỏng")
    return []
'''


def test_report_batch_queue_shows_progress_lists_failures_and_exits_1(
        runner: CliRunner, queued_services: Services, workers: Workers, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "broken.py").write_text(BROKEN.format(unit="HT-TH-TL"), encoding="utf-8")
    monkeypatch.setenv("REPORTSVC_PLUGINS_DIR", str(plugins))
    workers.start(concurrency=2)
    args = ["report", "batch", "--period", "2024-Q4", "--under", "HT", "--kind", "xa", "--format", "docx", "--queue"]
    result = runner.invoke(main, args)
    assert result.exit_code == 1, result.output + workers.logs()
    assert result.stdout.startswith("Giao 4 báo cáo quý IV năm 2024 (docx) cho các worker qua hàng đợi redis://")
    assert "tạo 3 báo cáo, bỏ qua 0 đơn vị đã có báo cáo kỳ này, 1 đơn vị lỗi." in result.stdout
    assert "1 worker đang chạy." in result.stderr and "Đang tạo báo cáo" in result.stderr
    failures = result.stderr.split("Các đơn vị không tạo được báo cáo (1):\n", 1)[1].splitlines()
    assert failures[0] == "  HT-TH-TL xã Thạch Long: Plugin 'broken' lỗi trong reportsvc_report_extras: dữ liệu hỏng"
    assert reports_of(queued_services, "2024-Q4") == {code: [1] for code in COMMUNES if code != "HT-TH-TL"}
    # Resumed without the broken plugin: only the unit that failed is made.
    monkeypatch.delenv("REPORTSVC_PLUGINS_DIR")
    (plugins / "broken.py").unlink()
    workers.stop_all()
    workers.start()
    resumed = runner.invoke(main, args)
    assert resumed.exit_code == 0, resumed.output
    assert "Giao 1 báo cáo" in resumed.stdout and "bỏ qua 3 đơn vị đã có báo cáo kỳ này" in resumed.stdout
    assert reports_of(queued_services, "2024-Q4") == {code: [1] for code in COMMUNES}


def test_report_batch_queue_refusals(runner: CliRunner, queued_services: Services,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["report", "batch", "--period", "2024-Q4", "--under", "HT", "--queue"]
    assert refused(runner, *args, "--jobs", "2") == ("Lỗi: --jobs không dùng cùng --queue: số báo cáo làm cùng lúc "
                                                     "do các worker quyết định (reportsvc worker --concurrency N).")
    monkeypatch.setenv("REPORTSVC_BROKER_URL", f"redis://127.0.0.1:{_free_port()}/0")
    assert refused(runner, *args).startswith("Lỗi: Không kết nối được hàng đợi Redis tại redis://127.0.0.1:")
    monkeypatch.delenv("REPORTSVC_BROKER_URL")
    assert refused(runner, *args) == "Lỗi: Chưa cấu hình hàng đợi: đặt REPORTSVC_BROKER_URL=redis://máy-chủ:6379/0."


# ---------------------------------------------------------------- the scheduler hands its due runs to the workers

def test_the_scheduler_queues_its_due_runs_for_the_workers(queued_services: Services, workers: Workers) -> None:
    runs = run_due(queued_services, date(2024, 9, 15))  # no dispatch given: the broker is configured
    due = sorted(["HT", *COMMUNES])
    assert sorted(run.unit_code for run in runs) == due
    client = redis.Redis.from_url(queued_services.settings.broker_url)
    assert client.llen(queue.QUEUE) == len(due)  # queued, not made: no report yet
    assert reports_of(queued_services, "2024-Q3") == {}

    workers.start(concurrency=2)
    wait_until(lambda: len(reports_of(queued_services, "2024-Q3")) == len(due), 180, "the due reports",
               workers.logs)
    assert reports_of(queued_services, "2024-Q3") == {code: [1] for code in due}
    with queued_services.sessions() as session:
        assert set(session.scalars(select(GeneratedReport.created_by))) == {"scheduler"}
        files = session.scalar(select(func.count()).select_from(GeneratedReport).join(GeneratedReport.files))
    assert files >= 2 * len(due)  # docx and pdf, as the scheduler makes them
    assert client.llen(queue.QUEUE) == 0
    assert run_due(queued_services, date(2024, 9, 15)) == []  # made: nothing is queued again


# ---------------------------------------------------------------- refusals: one Vietnamese line, exit 2

def _refusal(runner: CliRunner) -> str:
    result = runner.invoke(main, ["worker", "--concurrency", "1"])
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def test_a_worker_without_a_broker_is_refused(runner: CliRunner, demo_services: Services,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPORTSVC_BROKER_URL", raising=False)
    assert _refusal(runner) == "Lỗi: Chưa cấu hình hàng đợi: đặt REPORTSVC_BROKER_URL=redis://máy-chủ:6379/0."


def test_an_unreachable_broker_is_one_line(runner: CliRunner, demo_services: Services,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTSVC_BROKER_URL", f"redis://:mat-khau@127.0.0.1:{_free_port()}/0")
    line = _refusal(runner)
    assert line.startswith("Lỗi: Không kết nối được hàng đợi Redis tại redis://:***@127.0.0.1:")
    assert "Connection refused" in line and "mat-khau" not in line
    services = create_services(load_settings())
    with pytest.raises(queue.QueueError, match="Không kết nối được hàng đợi Redis"):
        queue.enqueue(queue.make_app(services.settings), parse_period("2024-Q1"), ["HT"], ["docx"])
    with pytest.raises(queue.QueueError, match="Không kết nối được hàng đợi Redis"):  # at start-up, not at 6:00
        add_jobs(_Scheduler(), services)
    services.engine.dispose()


class _Scheduler:
    """A stand-in for APScheduler that records the jobs added."""

    def __init__(self) -> None:
        self.jobs: list[str] = []

    def add_job(self, *_args: object, id: str, **_kwargs: object) -> None:  # noqa: A002 - APScheduler's name
        self.jobs.append(id)


@pytest.mark.parametrize(("value", "reason"), [
    ("amqp://khach@127.0.0.1//", "chỉ nhận redis:// hoặc rediss://, không nhận 'amqp'"),
    ("redis://", "thiếu tên máy chủ Redis"),
    ("redis://127.0.0.1:99999/0", "cổng phải là một số từ 1 đến 65535"),
    ("redis://:bi-mat@127.0.0.1:6379/hang-doi", "sau máy chủ chỉ được là số cơ sở dữ liệu Redis (/0, /1 …), "
                                                "không phải '/hang-doi'"),
])
def test_an_unusable_broker_url_is_refused_without_showing_it(value: str, reason: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"REPORTSVC_BROKER_URL": value})
    assert str(caught.value) == (f"REPORTSVC_BROKER_URL không hợp lệ: {reason} (cần dạng redis://máy-chủ:6379/0 "
                                 f"hoặc rediss://:mật-khẩu@máy-chủ:6380/0).")
    assert "bi-mat" not in str(caught.value)


def test_the_queue_settings_reach_celery() -> None:
    settings = load_settings(environ={"REPORTSVC_BROKER_URL": "rediss://:bi-mat@redis.tinh.gov.vn:6380/2",
                                      "REPORTSVC_TASK_SECONDS": "300"})
    app = queue.make_app(settings)
    assert app.shown_url == "rediss://:***@redis.tinh.gov.vn:6380/2"
    assert "bi-mat" not in repr(settings)
    conf = app.conf
    assert (conf.task_acks_late, conf.task_reject_on_worker_lost, conf.worker_prefetch_multiplier) == (True, True, 1)
    assert conf.task_time_limit == 300 and conf.broker_transport_options["visibility_timeout"] > 2 * 300 - 1
    assert conf.broker_use_ssl["ssl_cert_reqs"] is not None
    with pytest.raises(ConfigError, match="REPORTSVC_TASK_SECONDS phải là số giây từ 1 đến 86400"):
        load_settings(environ={"REPORTSVC_TASK_SECONDS": "0"})


def test_a_worker_process_keeps_one_database_connection_per_report() -> None:
    settings = load_settings(environ={"REPORTSVC_BROKER_URL": "redis://127.0.0.1:6379/0",
                                      "DATABASE_URL": "postgresql+psycopg://cchc@127.0.0.1:1/cchc"})
    services = queue.make_app(settings).process_services()  # no connection is opened yet
    pool = services.engine.pool
    assert (pool.size(), pool._max_overflow, pool._pre_ping) == (1, 1, True)  # noqa: SLF001 - what the pool was given
    assert create_services(settings).engine.pool.size() == 5  # a server process keeps SQLAlchemy's default


# ---------------------------------------------------------------- the deployment recipe

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def _recipe_commands() -> dict[str, list[str]]:
    """Return the command line of each process of deploy/Procfile and of each unit of deploy/systemd."""
    commands: dict[str, list[str]] = {}
    for line in (DEPLOY / "Procfile").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, command = line.split(":", 1)
            commands[f"Procfile {name}"] = command.replace("${PORT:-5000}", "5000").split()
    for unit in sorted((DEPLOY / "systemd").glob("*.service")):
        starts = [line.split("=", 1)[1] for line in unit.read_text(encoding="utf-8").splitlines()
                  if line.startswith("ExecStart=")]
        assert len(starts) == 1, unit.name
        commands[unit.name] = starts[0].split()
    return commands


def test_the_deployment_recipe_runs_web_worker_and_scheduler_with_real_commands() -> None:
    commands = _recipe_commands()
    assert {name: args[1:3] for name, args in commands.items()} == {
        "Procfile web": ["serve", "--host"], "Procfile worker": ["worker", "--concurrency"],
        "Procfile scheduler": ["scheduler", "run"], "reportsvc-web.service": ["serve", "--host"],
        "reportsvc-worker.service": ["worker", "--concurrency"], "reportsvc-scheduler.service": ["scheduler", "run"]}
    for name, args in commands.items():
        assert Path(args[0]).name == "reportsvc", name
        command: click.Command = main
        rest = args[1:]
        while isinstance(command, click.Group):
            word, *rest = rest
            command = command.commands[word]
        command.make_context(word, rest)  # every option exists and its value is accepted
    worker_unit = (DEPLOY / "systemd" / "reportsvc-worker.service").read_text(encoding="utf-8")
    assert "KillMode=mixed" in worker_unit  # SIGTERM to the worker alone: its running reports finish
    stop = int(next(line.split("=")[1] for line in worker_unit.splitlines() if line.startswith("TimeoutStopSec=")))
    assert stop > load_settings(environ={}).task_seconds
