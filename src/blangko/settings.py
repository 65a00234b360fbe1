"""Settings from the environment (BLANGKO_*) and the command line; nothing is read at import."""

from __future__ import annotations

import getpass
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_FILE = "blangko.db"
DEFAULT_SECRET_KEY = "blangko-demo-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLANGKO_", extra="ignore")

    database_url: str = ""
    actor: str = ""
    locale: str = "id"
    # The office's own time zone decides what "today" is (WIB, WITA or WIT).
    timezone: str = "Asia/Jakarta"
    # Stock level shown by `blangko status`: "menipis" below this many days of cover at the
    # recent average daily use (0 blanks on hand is always "habis").
    stock_low_days: int = 14
    # Signs session cookies and API tokens. The default is public (it is in the source), so
    # `blangko serve` refuses it unless this is the demo (see web.app.check_secret).
    secret_key: str = DEFAULT_SECRET_KEY
    demo: bool = False
    # The address line of the letterhead on printed reports (BLANGKO_OFFICE_ADDRESS).
    office_address: str = ""

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
