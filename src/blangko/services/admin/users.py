"""Web users: accounts with one role each, argon2 password hashes, rate-limited log-in."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from blangko.adapters.repos import admin as repo
from blangko.domain.access import ROLES
from blangko.domain.errors import Conflict, DomainError, NotFound
from blangko.services.context import Context

MIN_PASSWORD = 8
# More failed attempts than this for one name inside the window locks that name for the
# rest of the window: slow enough to defeat guessing, short enough not to lock out a clerk.
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verifying against a throwaway hash when the name is unknown keeps the response time
    the same, so timing does not reveal which user names exist. Made on first use: an argon2
    hash costs ~0.15 s, which every CLI command would otherwise pay."""
    return _hasher.hash("tidak-ada-pengguna-ini")


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise DomainError(
            "unknown_role", "role", f"Peran '{role}' tidak dikenal: pilih {', '.join(ROLES)}."
        )
    return role


def _check_username(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 64 or not all(c.isalnum() or c in "-_." for c in name):
        raise DomainError(
            "username",
            "username",
            "Nama pengguna wajib diisi: huruf, angka, '-', '_' atau '.', paling banyak 64 karakter.",
        )
    return name


def _check_password(password: str) -> str:
    if password is None or len(password) < MIN_PASSWORD:
        raise DomainError(
            "password_too_short",
            "password",
            f"Kata sandi minimal {MIN_PASSWORD} karakter.",
        )
    return password


def _view(row: Any) -> dict[str, Any]:
    return {
        "username": row.username,
        "role": row.role,
        "office": row.office_code,
        "active": bool(row.active),
        "created_at": row.created_at.isoformat(timespec="seconds") + "Z",
    }


def add_user(
    ctx: Context, *, username: str, role: str, password: str, office: str | None = None
) -> dict[str, Any]:
    name = _check_username(username)
    _check_role(role)
    _check_password(password)
    with ctx.write_plain() as conn:
        if office is not None and not repo.office_exists(conn, office):
            raise NotFound("unknown_office", "office", f"Kantor '{office}' tidak ada.")
        if repo.user(conn, name) is not None:
            raise Conflict("user_exists", "username", f"Pengguna '{name}' sudah ada.")
        repo.insert_user(
            conn,
            username=name,
            office=office,
            role=role,
            password_hash=_hasher.hash(password),
            created_at=ctx.now(),
        )
        return _view(repo.user(conn, name))


def update_user(
    ctx: Context,
    *,
    username: str,
    role: str | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if role is not None:
        values["role"] = _check_role(role)
    if active is not None:
        values["active"] = active
    if password is not None:
        values["password_hash"] = _hasher.hash(_check_password(password))
    with ctx.write_plain() as conn:
        row = repo.user(conn, username)
        if row is None:
            raise NotFound("unknown_user", "username", f"Pengguna '{username}' tidak ada.")
        removing_admin = row.role == "admin" and (
            values.get("role", "admin") != "admin" or values.get("active") is False
        )
        if removing_admin and repo.count_active_admins(conn) <= 1:
            raise Conflict(
                "last_admin",
                "role",
                "Ini administrator aktif terakhir: tambahkan administrator lain dulu.",
            )
        if values:
            repo.update_user(conn, row.id, values)
        return _view(repo.user_by_id(conn, row.id))


def list_users(ctx: Context) -> list[dict[str, Any]]:
    with ctx.read() as conn:
        return [_view(r) for r in repo.users(conn)]


def get_user(ctx: Context, username: str) -> dict[str, Any] | None:
    """The active user of that name, or None (deactivated users count as gone)."""
    with ctx.read() as conn:
        row = repo.user(conn, username, active_only=True)
    return _view(row) if row else None


def authenticate(ctx: Context, *, username: str, password: str) -> dict[str, Any]:
    """The user for these credentials; every attempt is recorded, failures are rate-limited."""
    name = (username or "").strip()[:64]
    now = ctx.now()
    with ctx.write_plain() as conn:
        if repo.failed_logins_since(conn, name, now - WINDOW) >= MAX_FAILURES:
            raise DomainError(
                "too_many_attempts",
                "username",
                f"Terlalu banyak percobaan masuk yang gagal untuk '{name}'; coba lagi dalam "
                f"{int(WINDOW.total_seconds() // 60)} menit.",
            )
        row = repo.user(conn, name)
        ok = False
        try:
            _hasher.verify(row.password_hash if row else _dummy_hash(), password or "")
            ok = row is not None and bool(row.active)
        except (VerificationError, InvalidHashError):
            ok = False
        repo.record_login(conn, username=name, at=now, success=ok)
    if not ok:
        # Raised after the transaction committed, so the failed attempt stays counted.
        raise DomainError("bad_credentials", "password", "Nama pengguna atau kata sandi salah.")
    return _view(row)


DEMO_PASSWORD = "demo12345"
DEMO_USERS = (
    ("admin", "admin"),
    ("kepala", "kepala"),
    ("operator", "operator"),
    ("stok", "pengelola_stok"),
    ("auditor", "auditor"),
)


def ensure_demo_users(ctx: Context) -> list[dict[str, Any]]:
    """One account per role for the demo, all with the published demo password."""
    existing = {u["username"] for u in list_users(ctx)}
    for name, role in DEMO_USERS:
        if name not in existing:
            add_user(ctx, username=name, role=role, password=DEMO_PASSWORD)
    return [{"username": n, "role": r, "password": DEMO_PASSWORD} for n, r in DEMO_USERS]
