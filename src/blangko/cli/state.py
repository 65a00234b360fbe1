"""The database and actor chosen by the global options, built once per command run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.engine import make_url

from blangko.domain.access import PERSONAL_DATA_ROLES, sees_personal_data
from blangko.domain.errors import DomainError
from blangko.domain.text import Msg
from blangko.services.admin.users import get_user
from blangko.services.context import Context, context_from_settings
from blangko.settings import Settings

T = TypeVar("T")

_settings: Settings | None = None
_context: Context | None = None


def configure(*, db: str | None, actor: str | None) -> None:
    global _settings, _context
    # Only the options given: the others keep their value from the environment.
    overrides: dict[str, Any] = {k: v for k, v in {"database_url": db, "actor": actor}.items() if v}
    _settings = Settings(**overrides)
    _context = None


def settings() -> Settings:
    global _settings
    if _settings is None:
        _settings = Settings()
    return _settings


def context() -> Context:
    global _context
    if _context is None:
        _context = context_from_settings(settings())
    return _context


def write(
    service: Callable[..., T],
    office: str | None,
    idempotency_key: str | None,
    /,
    **fields: Any,
) -> T:
    """A write service called for a command: this run's context, the --office and the
    --idempotency-key options, and `fields` as the service's other arguments."""
    return service(context(), **fields, office=office, idempotency_key=idempotency_key)


def reveal(show: bool) -> bool:
    """Whether this run shows names and full NIKs: when asked (--show-nik), and refused
    when --actor names a web user whose role may not see personal data."""
    if not show:
        return False
    user = get_user(context(), context().actor)
    if user is not None and not sees_personal_data(user["role"]):
        raise DomainError(
            "personal_data_forbidden",
            "show_nik",
            Msg(
                "Peran '{user}' tidak boleh melihat data pribadi penduduk (hanya {personal_data_roles}).",
                user=user["role"],
                personal_data_roles=", ".join(sorted(PERSONAL_DATA_ROLES)),
            ),
        )
    return True


def remove_sqlite_file() -> None:
    """Delete the SQLite database file (and its WAL files) named by the settings."""
    url = make_url(settings().resolved_database_url())
    if url.get_backend_name() != "sqlite" or not url.database:
        raise DomainError(
            "fresh_sqlite_only", "db", Msg("--fresh hanya untuk basis data SQLite (berkas).")
        )
    for suffix in ("", "-wal", "-shm"):
        Path(url.database + suffix).unlink(missing_ok=True)
