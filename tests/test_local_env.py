"""A fresh clone runs the README's commands without a production secret; production still refuses.

The subprocess tests work on a copy of the project without ``var/``, as a fresh clone has it,
so the developer's own ``var/local.env`` plays no part.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from config import local_env
from tests.servers import PROJECT, database_url, free_port

OC_MEDIA = "fixtures/oc-media-stepanakert-2023-09-20.txt"
OC_MEDIA_SLUG = "live-updates-stepanakert-surrenders-amidst-azerbaijani-assault"


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """The project's code and fixtures in a folder of their own, with no var/ yet."""
    copy = tmp_path / "liveblog"
    copy.mkdir()
    shutil.copy2(PROJECT / "manage.py", copy / "manage.py")
    for folder in ("config", "liveblog", "fixtures"):
        shutil.copytree(
            PROJECT / folder, copy / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    return copy


def _run(
    folder: Path, *args: str, env: Mapping[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """Run this venv's Python in ``folder`` with nothing in the environment but ``env``."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=folder,
        env={"PATH": os.environ["PATH"], **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _server(folder: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess:
    """Start uvicorn as the README does; a server that does start fails the test by timeout."""
    args = ["-m", "uvicorn", "config.asgi:application", "--port", str(free_port())]
    return _run(folder, *args, env=env, timeout=30)


def test_make_install_writes_a_secret_key_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "var" / "local.env"

    assert local_env.write(path) is True
    written = path.read_text()
    key = next(line for line in written.splitlines() if line.startswith("DJANGO_SECRET_KEY="))
    assert len(key.partition("=")[2]) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert local_env.write(path) is False
    assert path.read_text() == written


def test_the_environment_wins_over_the_local_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "local.env"
    path.write_text("DJANGO_SECRET_KEY=from-the-file\nLIVEBLOG_LOCAL_ENV_PROBE=from-the-file\n")
    monkeypatch.setenv("DJANGO_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("LIVEBLOG_LOCAL_ENV_PROBE", "")  # empty counts as unset; undone after

    assert local_env.load(path) == {"LIVEBLOG_LOCAL_ENV_PROBE"}
    assert os.environ["DJANGO_SECRET_KEY"] == "from-the-environment"
    assert os.environ["LIVEBLOG_LOCAL_ENV_PROBE"] == "from-the-file"


@pytest.mark.django_db(transaction=True)
def test_after_make_install_the_readmes_commands_run_as_written(clone: Path) -> None:
    assert _run(clone, "-m", "config.local_env").returncode == 0  # what make install runs
    env = {"DATABASE_URL": database_url()}  # the test database instead of db.sqlite3
    commands = [
        ["import_liveblog", OC_MEDIA, "--dry-run"],
        ["import_liveblog", OC_MEDIA],
        ["export_liveblog", OC_MEDIA_SLUG, "-o", "export.jsonl"],
        ["rebuild_projections", OC_MEDIA_SLUG],
    ]
    for command in commands:
        done = _run(clone, "manage.py", *command, env=env)
        assert done.returncode == 0, f"manage.py {' '.join(command)}:\n{done.stderr}"
    assert (clone / "export.jsonl").read_text().count("\n") >= 21


def test_without_a_secret_key_a_command_stops_with_one_line_naming_it(clone: Path) -> None:
    done = _run(clone, "manage.py", "check")

    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "Configuration error: DJANGO_SECRET_KEY is not set. Set it in the environment (for "
        "this checkout's own commands, `make install` writes one to var/local.env)."
    ]


def test_a_production_server_refuses_the_local_key_that_commands_use(clone: Path) -> None:
    local_env.write(clone / "var" / "local.env")

    production = {"DJANGO_DEBUG": "false"}
    refused = _server(clone, production)
    assert refused.returncode == 1
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith("Configuration error: DJANGO_SECRET_KEY is not set in the environment")
    assert _run(clone, "manage.py", "check", env=production).returncode == 0
