"""The production cost of a password hash. The test process hashes with the smallest argon2
cost (tests/conftest.py, `_cheap_password_hashes`); this loads services/admin/users.py afresh,
as the application does, and holds its hasher to argon2-cffi's defaults (RFC 9106's
low-memory profile: 3 passes over 64 MiB, 4 lanes)."""

from __future__ import annotations

import importlib.util
import sys

from argon2 import PasswordHasher

from blangko.services.admin import users


def test_the_application_hashes_passwords_at_argon2s_default_cost() -> None:
    spec = importlib.util.spec_from_file_location("_users_afresh", users.__file__)
    assert spec is not None and spec.loader is not None
    fresh = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = fresh  # its dataclasses look their module up
    try:
        spec.loader.exec_module(fresh)
    finally:
        del sys.modules[spec.name]
    default = PasswordHasher()
    got = fresh._hasher
    assert (got.time_cost, got.memory_cost, got.parallelism, got.type) == (
        default.time_cost,
        default.memory_cost,
        default.parallelism,
        default.type,
    )
    assert got.time_cost >= 3 and got.memory_cost >= 64 * 1024
    assert users._hasher is not got  # the suite's cheap one is not the application's
