"""Errors a clerk can act on: a stable code, the field at fault and a message in Indonesian."""

from __future__ import annotations

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
