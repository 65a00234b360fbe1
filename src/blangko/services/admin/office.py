"""An office's own settings: what its reports print under its name (address, the regency seat
where they are signed, the head's name and NIP), the address of its public status page, and
the documents each application type needs at its counter. One write transaction each."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select
from typing_extensions import TypedDict

from blangko.adapters import tables as t
from blangko.adapters.repos import admin as repo
from blangko.domain.admin import check_nip, check_public_url, check_text
from blangko.domain.applications import (
    DEFAULT_DOCUMENT_RULES,
    DOCUMENT_LABEL_ID,
    TYPE_LABEL_ID,
    TYPES,
    DocumentRule,
    check_document_rule,
    check_type,
    describe_rule,
    document_rules,
)
from blangko.services.context import Context, WriteTx, resolve_office, write_once


class DocumentRuleView(TypedDict):
    """The documents one application type needs at this office."""

    type: str
    type_label: str
    documents: list[str]
    labels: list[str]
    any_one: bool
    office_set: bool  # False: the default rule (domain.applications.DEFAULT_DOCUMENT_RULES)
    description: str


class OfficeProfile(TypedDict):
    """An office's settings; a setting never made is None."""

    office: str
    name: str
    address: str | None
    seat: str | None
    head_name: str | None
    head_nip: str | None
    public_url: str | None
    documents: list[DocumentRuleView]
    updated_at: str | None
    updated_by: str | None


class ProfileWritten(OfficeProfile):
    replayed: bool


def _stored_rules(row: Any) -> dict[str, DocumentRule]:
    if row is None or not row.documents:
        return {}
    data = json.loads(row.documents)
    return {
        kind: DocumentRule(tuple(rule["documents"]), bool(rule.get("any_one")))
        for kind, rule in data.items()
        if kind in TYPES
    }


def document_rules_of(conn: Connection, office: str) -> dict[str, DocumentRule]:
    """The rule of every application type at ``office``: its own, else the default."""
    return document_rules(_stored_rules(repo.office_profile(conn, office)))


def read_profile(conn: Connection, office: str) -> OfficeProfile:
    """The settings of ``office`` (a known code) inside the caller's transaction."""
    row = repo.office_profile(conn, office)
    own = _stored_rules(row)
    rules = document_rules(own)
    return {
        "office": office,
        "name": repo.office_name(conn, office),
        "address": row.address if row else None,
        "seat": row.seat if row else None,
        "head_name": row.head_name if row else None,
        "head_nip": row.head_nip if row else None,
        "public_url": row.public_url if row else None,
        "documents": [
            {
                "type": kind,
                "type_label": TYPE_LABEL_ID[kind],
                "documents": list(rules[kind].documents),
                "labels": [DOCUMENT_LABEL_ID[d] for d in rules[kind].documents],
                "any_one": rules[kind].any_one,
                "office_set": kind in own,
                "description": describe_rule(rules[kind]),
            }
            for kind in TYPES
        ],
        "updated_at": row.updated_at.isoformat() if row else None,
        "updated_by": row.updated_by if row else None,
    }


def show(ctx: Context, *, office: str | None = None) -> OfficeProfile:
    with ctx.read() as conn:
        return read_profile(conn, resolve_office(conn, office))


def _checked(field: str, value: str) -> str | None:
    """A setting as stored: None when cleared (empty), else checked by its rule."""
    if not value.strip():
        return None
    if field == "head_nip":
        return check_nip(value)
    if field == "public_url":
        return check_public_url(value)
    return check_text(field, value)


def update(
    ctx: Context,
    *,
    office: str | None = None,
    address: str | None = None,
    seat: str | None = None,
    head_name: str | None = None,
    head_nip: str | None = None,
    public_url: str | None = None,
    idempotency_key: str | None = None,
) -> ProfileWritten:
    """Change the settings given (None: left as it is; an empty text: cleared). Every value is
    checked before anything is written."""
    given = {
        "address": address,
        "seat": seat,
        "head_name": head_name,
        "head_nip": head_nip,
        "public_url": public_url,
    }
    changes = {k: _checked(k, v) for k, v in given.items() if v is not None}

    def body(tx: WriteTx) -> ProfileWritten:
        if changes:
            repo.save_office_profile(tx.conn, tx.office, changes, at=ctx.now(), actor=ctx.actor)
        return {**read_profile(tx.conn, tx.office), "replayed": False}

    return write_once(ctx, office, "office.update", given, idempotency_key, body)


def _write_rules(
    ctx: Context,
    office: str | None,
    operation: str,
    params: dict[str, Any],
    idempotency_key: str | None,
    change: tuple[str, DocumentRule | None],
) -> ProfileWritten:
    kind, rule = change

    def body(tx: WriteTx) -> ProfileWritten:
        own = _stored_rules(repo.office_profile(tx.conn, tx.office))
        if rule is None:
            own.pop(kind, None)
        else:
            own[kind] = rule
        # A rule equal to the default is the default: stored rules are the office's choices.
        data = {
            k: {"documents": list(r.documents), "any_one": r.any_one}
            for k, r in sorted(own.items())
            if r != DEFAULT_DOCUMENT_RULES[k]
        }
        repo.save_office_profile(
            tx.conn,
            tx.office,
            {"documents": json.dumps(data, sort_keys=True) if data else None},
            at=ctx.now(),
            actor=ctx.actor,
        )
        return {**read_profile(tx.conn, tx.office), "replayed": False}

    return write_once(ctx, office, operation, params, idempotency_key, body)


def set_documents(
    ctx: Context,
    *,
    type: str,  # noqa: A002 - the application type
    documents: list[str],
    any_one: bool = False,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ProfileWritten:
    """The documents an application ``type`` needs at this office: every one of them, or
    (``any_one``) at least one."""
    rule = check_document_rule(type, documents, any_one)
    params = {"type": type, "documents": list(rule.documents), "any_one": rule.any_one}
    return _write_rules(ctx, office, "office.documents", params, idempotency_key, (type, rule))


def reset_documents(
    ctx: Context,
    *,
    type: str,  # noqa: A002 - the application type
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ProfileWritten:
    """Back to the default documents for ``type``."""
    check_type(type)
    return _write_rules(
        ctx, office, "office.documents.reset", {"type": type}, idempotency_key, (type, None)
    )


# --- the letterhead: what a report or a slip prints of its office ------------------------------

ADDRESS_PLACEHOLDER = "Alamat kantor belum diisi (diatur administrator di halaman Kantor)"


@dataclass(frozen=True)
class OfficeHead:
    """What a report prints of its office: the letterhead, the place of signature and the
    head who signs (office settings, `blangko office set`)."""

    code: str
    name: str
    regency: str | None  # "Kabupaten Kaur", when the office name says it
    address: str
    seat: str | None = None  # the regency seat (ibu kota kabupaten), e.g. Bintuhan
    head_name: str | None = None
    head_nip: str | None = None

    @property
    def lines(self) -> list[str]:
        if self.regency:
            return [
                f"PEMERINTAH {self.regency.upper()}",
                "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL",
                self.address,
            ]
        return [self.name.upper(), self.address]

    @property
    def place(self) -> str:
        """The town a record is signed in: the regency seat when set, else the regency's name
        without its level."""
        if self.seat:
            return self.seat
        if not self.regency:
            return ""
        for level in ("Kabupaten ", "Kota "):
            if self.regency.startswith(level):
                return self.regency[len(level) :]
        return self.regency


def read_head(conn: Connection, office: str | None, address: str | None = None) -> OfficeHead:
    """The letterhead of the office asked for (or the only one), inside the report's read.

    The address is the office's setting; ``address`` (BLANGKO_OFFICE_ADDRESS, one for the
    whole installation) only stands in while the office has none."""
    code = resolve_office(conn, office)
    name = conn.execute(select(t.office.c.name).where(t.office.c.code == code)).scalar_one()
    prefix = "Dinas Dukcapil "
    regency = name[len(prefix) :] if name.startswith(prefix) else None
    own = repo.office_profile(conn, code)
    return OfficeHead(
        code,
        name,
        regency,
        (own.address if own and own.address else (address or "").strip()) or ADDRESS_PLACEHOLDER,
        seat=own.seat if own else None,
        head_name=own.head_name if own else None,
        head_nip=own.head_nip if own else None,
    )
