"""The API description, the users service and CLI, the secret check, the catalogs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import validate

from blangko.domain.errors import DomainError
from blangko.services.admin import users
from blangko.settings import Settings
from blangko.web.app import check_secret, create_app
from blangko.web.i18n import translations

WEB = Path(__file__).resolve().parents[2] / "src" / "blangko" / "web"


def test_openapi_is_valid_and_every_post_takes_an_idempotency_key(client) -> None:  # type: ignore[no-untyped-def]
    schema = client.get("/api/openapi.json").json()
    validate(schema)
    posts = [(p, op) for p, ops in schema["paths"].items() for m, op in ops.items() if m == "post"]
    assert len(posts) >= 12
    for path, op in posts:
        # Log-in issues a token; log-out ends sessions, and ending them twice is ending them.
        if path in ("/api/v1/auth/token", "/api/v1/auth/logout"):
            continue
        names = {p["name"] for p in op.get("parameters", [])}
        assert "Idempotency-Key" in names, path
    ledger = schema["paths"]["/api/v1/stock/ledger"]["get"]
    assert {"limit", "offset"} <= {p["name"] for p in ledger["parameters"]}


# The media types a download may have instead of JSON (a file has no JSON schema).
FILE_TYPES = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "text/csv",
}


def _describes(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """Whether a schema says what the response holds: an object with named properties, a
    list of such, or a choice among such; not `{}` nor a free-form object."""
    if "$ref" in schema:
        return _describes(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return all(_describes(s, components) for s in schema[key])
    if schema.get("type") == "array":
        return _describes(schema.get("items", {}), components)
    return bool(schema.get("properties"))


def test_every_api_response_has_a_schema(client) -> None:  # type: ignore[no-untyped-def]
    """Every 2xx response of every /api/v1 operation is described: JSON by a schema with its
    fields, a download by its media types."""
    doc = client.get("/api/openapi.json").json()
    components = doc.get("components", {}).get("schemas", {})
    problems, described = [], 0
    for path, ops in doc["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, op in ops.items():
            name = f"{method.upper()} {path}"
            ok = [code for code in op["responses"] if code.startswith("2")]
            if not ok:
                problems.append(f"{name}: no 2xx response")
            for code in ok:
                content = op["responses"][code].get("content", {})
                if not content and code != "204":  # 204 No Content has no body by definition
                    problems.append(f"{name} {code}: no content")
                if content and code == "204":
                    problems.append(f"{name} 204: a body on No Content")
                for media, body in content.items():
                    if media in FILE_TYPES:
                        continue
                    if media != "application/json":
                        problems.append(f"{name} {code}: unexpected media type {media}")
                    elif not _describes(body.get("schema", {}), components):
                        problems.append(f"{name} {code}: JSON without a schema of its fields")
            described += 1
    assert not problems, "\n".join(problems)
    assert described >= 40


def test_docs_page_uses_local_assets(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/api/docs").text
    assert "http" not in page.replace("/api/openapi.json", "")  # no CDN
    for asset in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert client.get(asset).status_code == 200, asset


def test_passwords_are_argon2_hashed(ctx, office) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from blangko.adapters.tables_users import app_user

    users.add_user(
        ctx, scope=users.MACHINE, username="siti", role="operator", password="sandi-siti-1"
    )
    with ctx.read() as conn:
        stored = conn.execute(select(app_user.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "sandi-siti-1" not in stored
    assert users.authenticate(ctx, username="siti", password="sandi-siti-1")["role"] == "operator"
    with pytest.raises(DomainError) as err:
        users.add_user(
            ctx, scope=users.MACHINE, username="siti", role="operator", password="sandi-siti-1"
        )
    assert err.value.code == "user_exists"
    with pytest.raises(DomainError) as err:
        users.add_user(
            ctx, scope=users.MACHINE, username="budi", role="bos", password="sandi-budi-1"
        )
    assert err.value.code == "unknown_role"


def test_last_admin_cannot_be_removed(ctx, office) -> None:  # type: ignore[no-untyped-def]
    users.add_user(ctx, scope=users.MACHINE, username="root", role="admin", password="sandi-root-1")
    with pytest.raises(DomainError) as err:
        users.update_user(ctx, scope=users.MACHINE, username="root", active=False)
    assert err.value.code == "last_admin"
    users.add_user(
        ctx, scope=users.MACHINE, username="root2", role="admin", password="sandi-root-2"
    )
    assert (
        users.update_user(ctx, scope=users.MACHINE, username="root", role="kepala")["role"]
        == "kepala"
    )


def test_cli_user_add_reads_the_password_from_stdin(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = f"sqlite:///{tmp_path / 'b.db'}"
    run = [sys.executable, "-m", "blangko", "--db", db]
    subprocess.run([*run, "init", "--office", "17.04"], check=True, capture_output=True)
    ok = subprocess.run(
        [*run, "user", "add", "siti", "--role", "pengelola_stok", "--password-stdin", "--json"],
        input="sandi-siti-1\n",
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    assert '"role": "pengelola_stok"' in ok.stdout
    refused = subprocess.run(
        [*run, "user", "add", "budi", "--role", "operator"],
        input="x",
        capture_output=True,
        text=True,
    )
    assert refused.returncode == 2 and "--password-stdin" in refused.stderr


def test_server_refuses_the_default_secret() -> None:
    with pytest.raises(DomainError) as err:
        check_secret(Settings())
    assert err.value.code == "default_secret"
    check_secret(Settings(demo=True))
    check_secret(Settings(secret_key="a-long-enough-secret-key"))


def test_every_page_text_has_an_english_translation() -> None:
    from blangko.domain.access import ROLE_LABELS
    from blangko.domain.applications import (
        COLLECTOR_LABEL_ID,
        DOCUMENT_LABEL_ID,
        STATUS_LABEL_ID,
        TYPE_LABEL_ID,
    )
    from blangko.domain.handed_in import METHOD_LABEL_ID, REASON_LABEL_ID
    from blangko.domain.ledger import KIND_LABEL_ID as ENTRY_KIND_LABELS
    from blangko.domain.rationing import CLASS_LABEL_ID, OTHERS_CLASS_LABEL_ID, OTHERS_LABEL_ID
    from blangko.services import readlog
    from blangko.services.calendar.events import KIND_LABEL_ID
    from blangko.web import app, applications, calendar, coverage, labels, nav

    # The app imports every route module, and each registers its pages in the navigation.
    assert app.API_ROUTERS
    assert {i.route for i in nav.NAV} == {
        "page.dashboard",
        "page.stock",
        "page.service",
        "page.coverage",
        "page.agenda",
        "page.rationing",
        "page.audit",
        "page.users",
        "page.office",
        "page.readlog",
        "page.status",
        "page.old_cards",
        "page.requests",
        "page.loans",
        "page.network",
        "page.printer",
        "page.shipments",
    }
    ids: set[str] = set()
    # Every module of the web layer (the route modules and their helpers) and every template.
    for path in [*(WEB / "templates").glob("*.html"), *WEB.glob("*.py")]:
        for m in re.finditer(
            r"""_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*\)""",
            path.read_text(encoding="utf-8"),
        ):
            ids.add(m.group(1) or m.group(2))
    ids |= {i.label for i in nav.NAV}
    for table in (
        labels.SERVICE_LABELS,
        labels.LEVEL_LABELS,
        labels.TOTAL_LABELS,
        ROLE_LABELS,
        applications.ACTION_LABELS,
        STATUS_LABEL_ID,
        TYPE_LABEL_ID,
        DOCUMENT_LABEL_ID,
        COLLECTOR_LABEL_ID,
        KIND_LABEL_ID,
        ENTRY_KIND_LABELS,
        calendar.CLOSURE_SCOPE_LABELS,
        coverage.LIMIT_LABELS,
        readlog.ACTIONS,
        CLASS_LABEL_ID,
        OTHERS_LABEL_ID,
        REASON_LABEL_ID,
        METHOD_LABEL_ID,
    ):
        ids |= set(table.values())
    ids.add(OTHERS_CLASS_LABEL_ID)
    ids.add(readlog.ROLE_CLI)
    en = translations("en")
    untranslated = sorted(
        i
        for i in ids
        if en.gettext(i) == i
        # The same word in English.
        and i
        not in {
            "Audit",
            "Ledger",
            "Auditor",
            "Administrator",
            "Agenda",
            "Status",
            "Printer",
            "Menu",
        }
        and i not in {"status", "median", "target"}
    )
    assert len(ids) > 100
    assert not untranslated, untranslated


def test_app_refuses_a_route_without_roles(ctx, office, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from blangko.domain import access

    monkeypatch.delitem(access.ROUTE_ROLES, "page.audit")
    with pytest.raises(RuntimeError, match="page.audit"):
        create_app(ctx, settings=Settings(secret_key="a-long-enough-secret-key"))


@pytest.mark.parametrize(
    "written",
    [
        "1704015207900001",
        # Issue 19, finding 8: written with separators, these reached the log unmasked.
        "1704.0152.0790.0001",
        "1704-0152-0790-0001",
        "1704 0152 0790 0001",
        "1704+0152+0790+0001",
        "1704%200152%200790%200001",
    ],
)
def test_log_filter_masks_nik(written: str) -> None:
    import logging

    from blangko.web.logs import MaskNik

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/1.1" %d',
        ("127.0.0.1", "GET", f"/layanan?nik={written}", 200),
        None,
    )
    assert MaskNik().filter(record) is True
    line = record.getMessage()
    assert written not in line and "1704********0001" in line
    assert "0790" not in line


def test_serve_refuses_default_secret_from_the_cli(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("BLANGKO_")}
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "blangko",
            "--db",
            f"sqlite:///{tmp_path / 'b.db'}",
            "serve",
            "--port",
            "1",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert r.returncode == 2 and "BLANGKO_SECRET_KEY" in r.stderr
