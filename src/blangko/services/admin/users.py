"""Web users: accounts with one role each and one office, argon2 password hashes,
rate-limited log-in, sessions that end at once, and the scope of who manages whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any, NotRequired

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection
from typing_extensions import TypedDict

from blangko.adapters.repos import admin as repo
from blangko.domain.access import ROLES
from blangko.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    check_name,
    one_of,
)
from blangko.domain.limits import control_character
from blangko.domain.text import N_, Msg
from blangko.services.context import Context

MIN_PASSWORD = 8
# More failed attempts than this for one name inside the window locks that name for the
# rest of the window: slow enough to defeat guessing, short enough not to lock out a clerk.
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


class UserView(TypedDict):
    """A web user account (never its password hash)."""

    username: str
    role: str
    office: str | None
    active: bool
    created_at: str
    province: NotRequired[str]  # a province's user (no office): docs/network.md


class AuthenticatedUser(UserView):
    """A user who just proved their password, with the session version their session and
    token carry (a later log-out, password or role change raises it and ends them)."""

    session_version: int


class DemoUser(TypedDict):
    username: str
    role: str
    password: str
    # Where the account acts: an office's code, or "provinsi 17" (absent: the home office).
    scope: NotRequired[str]


_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verifying against a throwaway hash when the name is unknown keeps the response time
    the same, so timing does not reveal which user names exist. Made on first use: an argon2
    hash costs ~0.15 s, which every CLI command would otherwise pay."""
    return _hasher.hash("tidak-ada-pengguna-ini")


def _check_role(role: str) -> str:
    return one_of(role, ROLES, "unknown_role", "role", "Peran")


def _check_username(name: str) -> str:
    return check_name(name, "username", "username", "Nama pengguna", "-_.")


def _check_password(password: str) -> str:
    if password is None or len(password) < MIN_PASSWORD:
        raise DomainError(
            "password_too_short",
            "password",
            Msg("Kata sandi minimal {min_password} karakter.", min_password=MIN_PASSWORD),
        )
    return password


def _view(row: Any) -> UserView:
    view: UserView = {
        "username": row.username,
        "role": row.role,
        "office": row.office_code,
        "active": bool(row.active),
        "created_at": row.created_at.isoformat(timespec="seconds") + "Z",
    }
    if row.province:
        view["province"] = row.province
    return view


# --- scope -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whose accounts a caller manages.

    An administrator manages the users of their own office only: `Scope(office)`, the office
    their account acts for (`acting_user()["scope"]`). `MACHINE` is the operator of the
    machine, i.e. the CLI: whoever runs `blangko user ...` can read the database file or URL
    anyway, so it manages every office's users (and must name the office of a new user when
    the database holds more than one).
    """

    office: str | None
    machine: bool = False


MACHINE = Scope(None, machine=True)


def _scope_offices(conn: Connection, scope: Scope) -> list[str | None] | None:
    """The office codes whose users the scope covers (None in the list: users without an
    office, who act for the only office when there is one); None: every office."""
    if scope.machine:
        return None
    if scope.office is None:
        return [None]
    if repo.count_offices(conn) <= 1:
        return [scope.office, None]
    return [scope.office]


def _scoped_user(conn: Connection, scope: Scope, username: str) -> Any:
    """The user of that name inside the scope; one outside it is "not found" like an unknown
    one, so that an administrator cannot learn another office's user names this way."""
    row = repo.user(conn, username)
    offices = _scope_offices(conn, scope)
    if row is None or (offices is not None and row.office_code not in offices):
        raise NotFound(
            "unknown_user", "username", Msg("Pengguna '{username}' tidak ada.", username=username)
        )
    return row


def _check_office(conn: Connection, scope: Scope, office: str | None) -> str | None:
    """The office of a new or moved user: the administrator's own (another one is refused),
    or for the operator of the machine the one named; without one only where the database
    holds at most one office."""
    office = office.strip() if office else None
    if not scope.machine:
        if office is not None and office != scope.office:
            raise Forbidden(
                "office_scope",
                "office",
                Msg(
                    "Administrator kantor {nilai} hanya mengelola pengguna kantornya sendiri; kantor '{office}' di luar wewenang Anda.",
                    nilai=scope.office or "-",
                    office=office,
                ),
            )
        office = scope.office
    if office is not None:
        if not repo.office_exists(conn, office):
            raise NotFound(
                "unknown_office", "office", Msg("Kantor '{office}' tidak ada.", office=office)
            )
        return office
    n = repo.count_offices(conn)
    if n > 1:
        raise DomainError(
            "office_required",
            "office",
            Msg(
                "Basis data ini memuat {n} kantor: sebutkan kantor pengguna; pengguna tanpa kantor tidak dapat masuk di basis data dengan lebih dari satu kantor.",
                n=n,
            ),
        )
    return None


def _check_province(conn: Connection, scope: Scope, province: str, office: str | None) -> str:
    """A province's two digits, known to the region data; only the operator of the machine
    gives a user a province, and a user has an office or a province, not both."""
    code = province.strip()
    if not scope.machine:
        raise Forbidden(
            "office_scope",
            "province",
            N_("Pengguna provinsi hanya dapat ditambah oleh operator server, di baris perintah."),
        )
    if office is not None:
        raise DomainError(
            "office_or_province",
            "province",
            N_("Pengguna terikat ke satu kantor atau satu provinsi, tidak keduanya."),
        )
    region = repo.region(conn, code)
    if region is None or region.level != "provinsi":
        raise NotFound(
            "unknown_province",
            "province",
            Msg(
                ("Kode '{code}' bukan kode provinsi Kemendagri yang dikenal (contoh: 17)."),
                code=code,
            ),
        )
    return code


def _guard_last_admin(conn: Connection, row: Any) -> None:
    """Refuse to leave an office without an active administrator."""
    if repo.count_offices(conn) <= 1:
        offices = None  # one office: every administrator is its administrator
    elif row.office_code is None:
        return  # an administrator without an office administers nothing here
    else:
        offices = [row.office_code]
    if repo.count_active_admins(conn, offices) <= 1:
        raise Conflict(
            "last_admin",
            "role",
            Msg("Ini administrator aktif terakhir kantornya: tambahkan administrator lain dulu."),
        )


# --- accounts --------------------------------------------------------------------------------


def add_user(
    ctx: Context,
    *,
    scope: Scope,
    username: str,
    role: str,
    password: str,
    office: str | None = None,
    province: str | None = None,
) -> UserView:
    """Add a user to an office. An administrator adds only to their own office (`office`
    absent means theirs); the operator of the machine (`MACHINE`) names any office, and must
    name one where the database holds more than one office, or a province (`province`: a
    user of the province, who reads the network view of its offices; docs/network.md)."""
    name = _check_username(username)
    _check_role(role)
    _check_password(password)
    with ctx.write_plain() as conn:
        if province is not None:
            code = None
            province = _check_province(conn, scope, province, office)
        else:
            code = _check_office(conn, scope, office)
        if repo.user(conn, name) is not None:
            raise Conflict(
                "user_exists", "username", Msg("Pengguna '{name}' sudah ada.", name=name)
            )
        repo.insert_user(
            conn,
            username=name,
            office=code,
            role=role,
            password_hash=_hasher.hash(password),
            created_at=ctx.now(),
        )
        row = repo.user(conn, name)
        assert row is not None
        if province is not None:
            repo.update_user(conn, row.id, {"province": province})
            row = repo.user_by_id(conn, row.id)
        return _view(row)


def update_user(
    ctx: Context,
    *,
    scope: Scope,
    username: str,
    role: str | None = None,
    active: bool | None = None,
    password: str | None = None,
    office: str | None = None,
) -> UserView:
    """Change a user of the scope: role, active, password, and (operator of the machine only)
    the office. Any change ends every session and token of that user at once."""
    values: dict[str, Any] = {}
    if role is not None:
        values["role"] = _check_role(role)
    if active is not None:
        values["active"] = active
    if password is not None:
        values["password_hash"] = _hasher.hash(_check_password(password))
    with ctx.write_plain() as conn:
        row = _scoped_user(conn, scope, username)
        if office is not None:
            if not scope.machine:
                raise Forbidden(
                    "office_scope",
                    "office",
                    Msg(
                        "Kantor pengguna hanya dapat dipindah oleh operator server, di baris perintah ('blangko user update')."
                    ),
                )
            values["office_code"] = _check_office(conn, scope, office)
        changed = {k: v for k, v in values.items() if k == "password_hash" or getattr(row, k) != v}
        removing_admin = row.role == "admin" and (
            changed.get("role", "admin") != "admin"
            or changed.get("active") is False
            or "office_code" in changed
        )
        if removing_admin and row.active:
            _guard_last_admin(conn, row)
        if changed:
            repo.update_user(conn, row.id, changed)
            repo.end_sessions(conn, row.id)
        return _view(repo.user_by_id(conn, row.id))


def list_users(ctx: Context, *, scope: Scope, office: str | None = None) -> list[UserView]:
    """The users of the scope (the operator of the machine may narrow to one `office`)."""
    with ctx.read() as conn:
        offices = _scope_offices(conn, scope)
        if offices is None and office is not None:
            offices = [office.strip()]
        return [_view(r) for r in repo.users(conn, offices)]


def end_sessions(ctx: Context, *, username: str) -> None:
    """Log-out: every session and token of this user ends at once (on every device)."""
    with ctx.write_plain() as conn:
        row = repo.user(conn, username)
        if row is not None:
            repo.end_sessions(conn, row.id)


# --- who is asking ---------------------------------------------------------------------------


def acting_user(ctx: Context, username: str, session_version: int) -> dict[str, Any] | None:
    """The active user behind a session or token issued at `session_version`, with the office
    they act for (`scope`), or None (unknown, deactivated, or the session ended since).

    `scoped` is False for a user without an office in a database with more than one office:
    such a user acts for no office and is refused every office's data.
    """
    with ctx.read() as conn:
        row = repo.user(conn, username, active_only=True)
        if row is None or row.session_version != session_version:
            return None
        scope = row.office_code
        scoped = True
        if scope is None:
            codes = repo.office_codes(conn, limit=2)
            if len(codes) == 1:
                scope = codes[0]
            elif len(codes) > 1:
                scoped = False
    return {
        "username": row.username,
        "role": row.role,
        "office": row.office_code,
        "scope": scope,
        "scoped": scoped,
        "province": row.province,
    }


def get_user(ctx: Context, username: str) -> UserView | None:
    """The active user of that name, or None (deactivated users count as gone)."""
    with ctx.read() as conn:
        row = repo.user(conn, username, active_only=True)
    return _view(row) if row else None


def authenticate(ctx: Context, *, username: str, password: str) -> AuthenticatedUser:
    """The user for these credentials (with the `session_version` to carry in the session or
    token); every attempt is recorded, failures are rate-limited.

    The attempt is counted first, in a short transaction of its own that holds a lock on the
    name (so parallel guesses are counted one after the other) and no office's lock; the
    password (argon2, ~0.15 s) is checked after it committed, outside any transaction; a
    success then marks the attempt. So at most MAX_FAILURES guesses per name are ever
    checked inside the window, however many arrive at once.
    """
    name = (username or "").strip()[:64]
    if control_character(name) is not None:
        # No account can have such a name (names are checked when made), and PostgreSQL
        # cannot store a NUL in the attempts table: refused before anything is written.
        raise DomainError(
            "username_invalid",
            "username",
            Msg("Nama pengguna berisi karakter kendali; ketik nama pengguna Anda lagi."),
        )
    now = ctx.now()
    with ctx.write_plain() as conn:
        repo.lock_login_name(conn, name)
        locked = repo.failed_logins_since(conn, name, now - WINDOW) >= MAX_FAILURES
        attempt = repo.record_login(conn, username=name, at=now, success=False)
    if locked:
        raise DomainError(
            "too_many_attempts",
            "username",
            Msg(
                "Terlalu banyak percobaan masuk yang gagal untuk '{name}'; coba lagi dalam {nilai} menit.",
                name=name,
                nilai=int(WINDOW.total_seconds() // 60),
            ),
        )
    with ctx.read() as conn:
        row = repo.user(conn, name)
    ok = False
    try:
        _hasher.verify(row.password_hash if row else _dummy_hash(), password or "")
        ok = row is not None and bool(row.active)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or row is None:
        raise DomainError(
            "bad_credentials", "password", Msg("Nama pengguna atau kata sandi salah.")
        )
    with ctx.write_plain() as conn:
        repo.mark_login_success(conn, attempt)
    view = _view(row)
    return {
        "username": view["username"],
        "role": view["role"],
        "office": view["office"],
        "active": view["active"],
        "created_at": view["created_at"],
        "session_version": int(row.session_version),
    }


DEMO_PASSWORD = "demo12345"
DEMO_USERS = (
    ("admin", "admin"),
    ("kepala", "kepala"),
    ("operator", "operator"),
    ("stok", "pengelola_stok"),
    ("auditor", "auditor"),
)


# The demo's network accounts (docs/network.md, "The demo network"): the directorate's
# stock keeper, who ships from the central warehouse, and a head of the home office's
# province, who reads the network view of its offices.
DEMO_DIRECTORATE_USER = ("pusat", "pengelola_stok")
DEMO_PROVINCE_USER = ("provinsi", "kepala")
DIRECTORATE_CODE = "00.00"


def ensure_demo_users(ctx: Context) -> list[DemoUser]:
    """The demo's accounts, all with the published demo password: one per role of the home
    office (the only office when none is set), and where the database holds the directorate
    and a home office of a regency, the directorate's stock keeper and a user of the home
    office's province."""
    with ctx.read() as conn:
        home = repo.home_office(conn)
        directorate = repo.office_exists(conn, DIRECTORATE_CODE)
    wanted: list[tuple[str, str, str | None, str | None]] = [
        (name, role, home, None) for name, role in DEMO_USERS
    ]
    if directorate and home is not None and home != DIRECTORATE_CODE:
        wanted.append((*DEMO_DIRECTORATE_USER, DIRECTORATE_CODE, None))
        wanted.append((*DEMO_PROVINCE_USER, None, home.split(".", 1)[0]))
    existing = {u["username"] for u in list_users(ctx, scope=MACHINE)}
    made: list[DemoUser] = []
    for name, role, office, province in wanted:
        if name not in existing:
            add_user(
                ctx,
                scope=MACHINE,
                username=name,
                role=role,
                password=DEMO_PASSWORD,
                office=office,
                province=province,
            )
        user: DemoUser = {"username": name, "role": role, "password": DEMO_PASSWORD}
        if province is not None:
            user["scope"] = f"provinsi {province}"
        elif office is not None:
            user["scope"] = office
        made.append(user)
    return made
