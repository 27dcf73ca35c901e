"""Configuration that tells the truth: every variable the README documents is read, and does what it says."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from reportsvc.cli.main import main
from reportsvc.cli.support import ServicesHolder
from reportsvc.config import ENVIRONMENT, ConfigError, Settings, load_settings
from reportsvc.db.models import Unit
from reportsvc.db.unitsettings import UnitSettings, settings_of
from reportsvc.periods import Period
from reportsvc.report.build import build_report
from reportsvc.services.overview import default_period
from reportsvc.services.runtime import Services, create_services

ROOT = Path(__file__).resolve().parents[1]
TESTS_ONLY = {"REPORTSVC_TEST_PG_URL"}


def documented_variables() -> set[str]:
    """Return the variables of the README's configuration table."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([A-Z_]+)` \|", section, flags=re.MULTILINE))


def test_the_readme_documents_exactly_the_variables_the_settings_read() -> None:
    read = {variable for variable, _ in ENVIRONMENT.values()}
    assert documented_variables() - TESTS_ONLY == read


def test_every_variable_reaches_its_setting(tmp_path: Path) -> None:
    settings = load_settings(environ={
        "REPORTSVC_DATA_DIR": str(tmp_path), "DATABASE_URL": "sqlite:///:memory:",
        "REPORTSVC_PLUGINS_DIR": str(tmp_path / "plugins"), "REPORTSVC_MAX_UPLOAD_MB": "5",
        "REPORTSVC_MAX_UNZIPPED_MB": "50", "REPORTSVC_SECRET_KEY": "bi-mat", "REPORTSVC_CUTOFF_DAY": "19"})
    assert settings == Settings(data_dir=tmp_path, database_url="sqlite:///:memory:",
                                plugins_dir=str(tmp_path / "plugins"), max_upload_mb=5, max_unzipped_mb=50,
                                secret_key="bi-mat", cutoff_day=19)


def test_defaults_follow_the_table(tmp_path: Path) -> None:
    settings = load_settings(environ={"REPORTSVC_DATA_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'reportsvc.sqlite3'}"
    assert (settings.max_upload_mb, settings.max_unzipped_mb, settings.cutoff_day) == (20, 200, 14)
    assert settings.session_secret() == (tmp_path / "secret_key").read_text().strip()  # generated into the data dir
    assert len(settings.session_secret()) == 64


def test_overrides_win_over_the_environment() -> None:
    settings = load_settings({"plugins_dir": "/tu-dong-lenh"}, environ={"REPORTSVC_PLUGINS_DIR": "/tu-moi-truong"})
    assert settings.plugins_dir == "/tu-dong-lenh"


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("REPORTSVC_CUTOFF_DAY", "mười bốn", "Biến môi trường REPORTSVC_CUTOFF_DAY không hợp lệ: 'mười bốn'."),
    ("REPORTSVC_CUTOFF_DAY", "31", "REPORTSVC_CUTOFF_DAY phải là một ngày từ 1 đến 28, nhận được '31'."),
    ("REPORTSVC_MAX_UPLOAD_MB", "0", "REPORTSVC_MAX_UPLOAD_MB phải là một số dương (MB), nhận được '0.0'."),
    ("REPORTSVC_MAX_UNZIPPED_MB", "nhiều", "Biến môi trường REPORTSVC_MAX_UNZIPPED_MB không hợp lệ: 'nhiều'."),
])
def test_an_unusable_value_is_refused_naming_the_variable(variable: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={variable: value})
    assert str(caught.value) == message


def test_the_cli_reports_an_unusable_value_in_one_line(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTSVC_CUTOFF_DAY", "0")
    result = runner.invoke(main, ["units", "list"])
    assert result.exit_code == 2
    assert result.stderr == "Lỗi: REPORTSVC_CUTOFF_DAY phải là một ngày từ 1 đến 28, nhận được '0'.\n"


def test_the_app_and_the_cli_get_the_same_settings(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from reportsvc.web.app import create_app

    monkeypatch.setenv("REPORTSVC_MAX_UPLOAD_MB", "3")
    monkeypatch.setenv("REPORTSVC_SECRET_KEY", "khoa-bi-mat")
    monkeypatch.setenv("REPORTSVC_CUTOFF_DAY", "19")
    app = create_app()
    app_settings = app.extensions["reportsvc"].settings
    assert app_settings == ServicesHolder.from_options().settings == load_settings()
    assert app.config["MAX_CONTENT_LENGTH"] == 3 * 1024 * 1024 and app.config["SECRET_KEY"] == "khoa-bi-mat"
    app.extensions["reportsvc"].engine.dispose()


# ---------------------------------------------------------------- REPORTSVC_CUTOFF_DAY

def services_with_cutoff(demo_services: Services, day: int) -> Services:
    """Return Services on the demo database whose installation default cut-off day is ``day``."""
    return create_services(load_settings({"cutoff_day": day}))


def test_units_without_their_own_cutoff_take_the_installation_default(demo_services: Services) -> None:
    services = services_with_cutoff(demo_services, 19)
    with services.transaction() as session:
        commune = session.scalar(select(Unit).where(Unit.code == "HT-TH-TD"))
        commune.settings = {**(commune.settings or {}), "cutoff_day": 10}
    with services.sessions() as session:
        province = session.scalar(select(Unit).where(Unit.code == "HT"))
        commune = session.scalar(select(Unit).where(Unit.code == "HT-TH-TD"))
        assert (settings_of(province).cutoff_day, settings_of(commune).cutoff_day) == (19, 10)
    with demo_services.sessions() as session:  # the built-in default where the installation sets none
        assert settings_of(session.scalar(select(Unit).where(Unit.code == "HT"))).cutoff_day == 14
    services.engine.dispose()


def test_the_default_cutoff_moves_the_report_window(demo_services: Services) -> None:
    services = services_with_cutoff(demo_services, 19)
    with services.sessions() as session:
        report = build_report(session, services.registry, "HT", Period(2024, "Q", 1))
    assert (report.period.start, report.period.end) == (date(2023, 12, 20), date(2024, 3, 19))
    services.engine.dispose()


def test_the_default_cutoff_chooses_the_period_pickers_first_period(demo_services: Services) -> None:
    services = services_with_cutoff(demo_services, 19)
    with services.sessions() as session:
        unit = session.scalar(select(Unit).where(Unit.code == "HT"))
        assert default_period(session, unit, today=date(2024, 3, 17)).key == "2024-Q1"  # still quý I's window
    with demo_services.sessions() as session:
        unit = session.scalar(select(Unit).where(Unit.code == "HT"))
        assert default_period(session, unit, today=date(2024, 3, 17)).key == "2024-Q2"  # closed on the 14th
    services.engine.dispose()


def test_the_scheduler_follows_the_variable(runner: CliRunner, demo_services: Services,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTSVC_CUTOFF_DAY", "19")
    on_15th = runner.invoke(main, ["scheduler", "due", "--date", "15/03/2024"])
    assert on_15th.exit_code == 0 and on_15th.stdout == "Không có báo cáo đến hạn ngày 15/03/2024.\n"
    on_20th = runner.invoke(main, ["scheduler", "due", "--date", "20/03/2024"])
    assert on_20th.exit_code == 0 and "HT 2024-Q1 (quý I năm 2024)" in on_20th.stdout.splitlines()


def test_unit_settings_are_the_documented_keys() -> None:
    """Every field of a unit's settings is a documented, validated key (the unit-settings issue added the
    submission day and the reports a unit files back as checked data)."""
    from reportsvc.db.unitsettings import KEYS

    assert set(UnitSettings.__dataclass_fields__) == set(KEYS)
