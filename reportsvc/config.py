"""Layered configuration: defaults, then an optional file, then REPORTSVC_* / DATABASE_URL env vars."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_PREFIX = "REPORTSVC_"


def default_data_dir() -> Path:
    """Return the data directory: $REPORTSVC_DATA_DIR or ./instance."""
    return Path(os.environ.get(ENV_PREFIX + "DATA_DIR") or Path.cwd() / "instance")


@dataclass
class Settings:
    """Service settings; see the configuration table in README.md."""

    data_dir: Path = field(default_factory=default_data_dir)
    database_url: str = ""
    plugins_dir: str = ""
    max_upload_mb: float = 20.0
    max_unzipped_mb: float = 200.0
    secret_key: str = ""
    cutoff_day: int = 14

    def __post_init__(self) -> None:
        if not self.database_url:
            self.database_url = "sqlite:///" + str(Path(self.data_dir) / "reportsvc.sqlite3")


def load_settings(overrides: dict[str, Any] | None = None) -> Settings:
    """Build Settings from the environment, then apply ``overrides`` (used by tests and the CLI)."""
    env = os.environ
    values: dict[str, Any] = {}
    if env.get(ENV_PREFIX + "DATA_DIR"):
        values["data_dir"] = Path(env[ENV_PREFIX + "DATA_DIR"])
    if env.get("DATABASE_URL"):
        values["database_url"] = env["DATABASE_URL"]
    if env.get(ENV_PREFIX + "PLUGINS_DIR"):
        values["plugins_dir"] = env[ENV_PREFIX + "PLUGINS_DIR"]
    for name, cast in (("max_upload_mb", float), ("max_unzipped_mb", float), ("cutoff_day", int)):
        if env.get(ENV_PREFIX + name.upper()):
            values[name] = cast(env[ENV_PREFIX + name.upper()])
    if env.get(ENV_PREFIX + "SECRET_KEY"):
        values["secret_key"] = env[ENV_PREFIX + "SECRET_KEY"]
    values.update({k: v for k, v in (overrides or {}).items() if v not in (None, "")})
    return Settings(**values)
