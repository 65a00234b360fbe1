"""Errors a clerk can act on: a stable code, the field at fault and a message in Indonesian."""

from __future__ import annotations

from collections.abc import Iterable

from typing_extensions import TypedDict


class ErrorInfo(TypedDict):
    """An error as data (the CLI's --json, the API's error body, a NIK check)."""

    code: str
    field: str | None
    message: str


class DomainError(Exception):
    """Bad input or a broken rule. Nothing has been written when this is raised."""

    def __init__(self, code: str, field: str | None, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message

    def as_dict(self) -> ErrorInfo:
        return {"code": self.code, "field": self.field, "message": self.message}


class NotFound(DomainError):
    """The thing named (office, location, serial, count, ...) does not exist."""


class Conflict(DomainError):
    """The request contradicts stored state (serial already known, idempotency key reused ...)."""


class Forbidden(DomainError):
    """The caller may not do this (outside their office's scope, no scope at all ...)."""


def one_of(value: str, choices: Iterable[str], code: str, field: str, what: str) -> str:
    """`value` when it is one of `choices`; else the clerk's error that names them all:
    "<what> '<value>' tidak dikenal: pilih a, b, c." (code e.g. 'unknown_type')."""
    options = list(choices)
    if value not in options:
        raise DomainError(
            code, field, f"{what} '{value}' tidak dikenal: pilih {', '.join(options)}."
        )
    return value


def check_name(value: str | None, code: str, field: str, what: str, marks: str) -> str:
    """`value` trimmed when it is 1 to 64 letters, digits and the characters of `marks`
    (e.g. "-_"); else the clerk's error "<what> wajib diisi: huruf, angka, '-' atau '_',
    paling banyak 64 karakter." (a location's name, a user name)."""
    name = (value or "").strip()
    if not name or len(name) > 64 or not all(c.isalnum() or c in marks for c in name):
        quoted = [f"'{m}'" for m in marks]
        allowed = ", ".join(quoted[:-1]) + " atau " + quoted[-1]
        raise DomainError(
            code, field, f"{what} wajib diisi: huruf, angka, {allowed}, paling banyak 64 karakter."
        )
    return name
