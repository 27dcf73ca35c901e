"""Test helpers for plugin discovery: fake installed distributions with ``reportsvc`` entry points."""
from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ISO_PROJECT = ROOT / "examples" / "reportsvc-iso9001"


def add_distribution(monkeypatch: pytest.MonkeyPatch, where: Path, name: str, entry_points: dict[str, str],
                     import_path: Path | None = None, version: str = "0.1.0") -> None:
    """Put a ``*.dist-info`` on sys.path so importlib.metadata sees ``name`` installed with these entry points.

    ``import_path`` is prepended too, so the entry points' modules import from the source tree.
    Both are removed from sys.path when the test ends.
    """
    site = where / f"site-{name}"
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")
    lines = ["[reportsvc]"] + [f"{key} = {value}" for key, value in entry_points.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if import_path is not None:
        monkeypatch.syspath_prepend(str(import_path))
    monkeypatch.syspath_prepend(str(site))


def add_iso_distribution(monkeypatch: pytest.MonkeyPatch, where: Path) -> dict[str, str]:
    """Register examples/reportsvc-iso9001 as installed, with the entry points its pyproject.toml declares."""
    project = tomllib.loads((ISO_PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    entry_points = project["entry-points"]["reportsvc"]
    add_distribution(monkeypatch, where, project["name"], entry_points, import_path=ISO_PROJECT,
                     version=project["version"])
    return entry_points
