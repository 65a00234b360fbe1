"""Web users, their roles, and log-in attempts (for rate limiting)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
)

from blangko.adapters.tables import metadata

app_user = Table(
    "app_user",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    # NULL: the user acts for the only office of the database (the embedded default).
    Column("office_code", String(5), ForeignKey("office.code"), nullable=True),
    Column(
        "role", String(20), nullable=False
    ),  # admin | kepala | operator | pengelola_stok | auditor
    Column("password_hash", String(200), nullable=False),  # argon2id
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False),
    # Carried in every session cookie and API token; log-out, a password, role, office or
    # active change add one, which ends every session and token issued before at once.
    Column("session_version", Integer, nullable=False, default=0, server_default="0"),
    # A province's user (no office): reads the network view (docs/network.md) of the offices
    # of that province (two digits, e.g. 17), and no office's own pages.
    Column("province", String(2), nullable=True),
)

login_attempt = Table(
    "login_attempt",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    # The name typed, not a user id: attempts against unknown names are limited too.
    Column("username", String(64), nullable=False),
    Column("attempted_at", DateTime, nullable=False),
    Column("success", Boolean, nullable=False),
)
Index("ix_login_attempt_user_time", login_attempt.c.username, login_attempt.c.attempted_at)
