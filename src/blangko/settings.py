"""Settings from the environment (BLANGKO_*) and the command line; nothing is read at import."""

from __future__ import annotations

import getpass
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_FILE = "blangko.db"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLANGKO_", extra="ignore")

    database_url: str = ""
    actor: str = ""
    locale: str = "id"
    # The office's own time zone decides what "today" is (WIB, WITA or WIT).
    timezone: str = "Asia/Jakarta"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path.cwd() / DEFAULT_SQLITE_FILE}"

    def resolved_actor(self) -> str:
        if self.actor:
            return self.actor
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "unknown"
