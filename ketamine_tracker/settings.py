"""Configuration from environment variables, overridable by command-line flags.

| variable | default |
|---|---|
| ``DATABASE_URL`` | ``sqlite:///data/tracker.db`` |
| ``NCBI_EUTILS_URL`` | ``https://eutils.ncbi.nlm.nih.gov/entrez/eutils/`` |
| ``NCBI_API_KEY`` | none (3 requests/s; 10 with a key) |
| ``NCBI_EMAIL`` | none |
| ``NCBI_TOOL`` | ``ketamine-tracker`` |
| ``KETAMINE_TRACKER_TOPICS`` | the topics file shipped in ``harvester/topics.toml`` |
| ``KETAMINE_TRACKER_WEBHOOK`` | none (URL that receives a JSON POST when a run fails) |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from db.config import DEFAULT_DATABASE_URL, database_url_from_env

DEFAULT_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    eutils_url: str = DEFAULT_EUTILS_URL
    api_key: str | None = field(default=None, repr=False)  # never printed
    email: str | None = None
    tool: str = "ketamine-tracker"
    topics_file: str | None = None
    webhook_url: str | None = field(default=None, repr=False)  # often embeds a token

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        return cls(
            database_url=database_url_from_env(env),
            eutils_url=env.get("NCBI_EUTILS_URL") or DEFAULT_EUTILS_URL,
            api_key=env.get("NCBI_API_KEY") or None,
            email=env.get("NCBI_EMAIL") or None,
            tool=env.get("NCBI_TOOL") or "ketamine-tracker",
            topics_file=env.get("KETAMINE_TRACKER_TOPICS") or None,
            webhook_url=env.get("KETAMINE_TRACKER_WEBHOOK") or None,
        )

    def with_overrides(self, **values) -> "Settings":
        """Apply command-line flags that were given (``None`` means not given)."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})
