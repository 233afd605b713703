"""This checkout's own settings file, ``var/local.env``, which ``make install`` writes once.

It holds a generated ``DJANGO_SECRET_KEY``, so that on a fresh clone every command the README
shows (``manage.py import_liveblog``, ``export_liveblog``, ``check``...) runs without a
production secret. It is in the dotenv format and read with python-dotenv (installed with
uvicorn): a developer may add any other setting there; the real environment wins over it.
``var/`` is ignored by git.

A server with ``DJANGO_DEBUG`` off refuses a secret key that came from this file
(``refuse_local_secret_in_production``): every process and machine of a deployment must
sign sessions and CSRF tokens with the same secret, so production sets its own.

    python -m config.local_env    # what make install runs; keeps an existing file
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from dotenv import dotenv_values

from config.env import SettingError

PATH = Path(__file__).resolve().parent.parent / "var" / "local.env"
SECRET_KEY = "DJANGO_SECRET_KEY"


def load(path: Path = PATH) -> frozenset[str]:
    """Set each variable of ``path`` the environment lacks; return the names it supplied."""
    supplied = set()
    for name, value in dotenv_values(path).items():
        if value is not None and not os.environ.get(name, "").strip():
            os.environ[name] = value
            supplied.add(name)
    return frozenset(supplied)


def write(path: Path = PATH) -> bool:
    """Create ``path`` with a new secret key, readable by its owner only; keep one that exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "w") as file:
        file.write(
            "# This checkout's settings, written once by `make install` (config/local_env.py).\n"
            "# The environment wins over them. A server with DJANGO_DEBUG off refuses this\n"
            "# key: production sets its own DJANGO_SECRET_KEY (README, Settings).\n"
            f"{SECRET_KEY}={secrets.token_urlsafe(50)}\n"
        )
    return True


def refuse_local_secret_in_production(*, debug: bool, supplied: frozenset[str]) -> None:
    """Stop a server with debugging off whose secret key came from the local file."""
    if not debug and SECRET_KEY in supplied:
        raise SettingError(
            f"{SECRET_KEY} is not set in the environment. A server with DJANGO_DEBUG off needs "
            f"the deployment's own secret; the one in {PATH.parent.name}/{PATH.name} is only "
            "for this checkout's commands and `make run`."
        )


if __name__ == "__main__":
    if write():
        print(f"Wrote {PATH} with a generated {SECRET_KEY}.")
    sys.exit(0)
