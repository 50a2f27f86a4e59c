"""Which database to use: ``DATABASE_URL`` or the default SQLite file under ``./data/``.

The one place that reads the variable, for the CLI's settings and for the
dashboard (which must not import the CLI), so the default is defined once.
"""

from __future__ import annotations

import os
from typing import Mapping

from db.engine import DEFAULT_DATABASE_URL

__all__ = ["DEFAULT_DATABASE_URL", "database_url_from_env"]


def database_url_from_env(env: Mapping[str, str] | None = None) -> str:
    """The database URL configured in the environment.

    Parameters
    ----------
    env:
        Environment to read (default: ``os.environ``).

    Returns
    -------
    str
        ``DATABASE_URL`` when it is set and not blank, else
        :data:`db.engine.DEFAULT_DATABASE_URL` (``sqlite:///data/tracker.db``,
        relative to the working directory). Not normalised or checked: see
        :func:`db.engine.normalise_url`.
    """
    env = os.environ if env is None else env
    value = (env.get("DATABASE_URL") or "").strip()
    return value or DEFAULT_DATABASE_URL
