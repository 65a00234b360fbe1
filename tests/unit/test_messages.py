"""Errors in the clerk's words (issue 18, point 2), checked on the code itself.

Every message the domain, the services and the web raise names things as the clerk knows
them: no command-line flag (the CLI adds its own, cli/output.py), no field code in brackets
or quotes, no ISO date (the app writes dd-mm-yyyy). Every field an error of the counter or the
stock forms names has a label (domain.errors.FIELD_LABEL_ID), which the web shows; the CLI
names the same field by its flag.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import typer

from blangko.cli.main import app
from blangko.cli.output import command_of, fail, flag_of
from blangko.domain.errors import FIELD_LABEL_ID, DomainError, field_label

SRC = Path(__file__).resolve().parents[2] / "src" / "blangko"
# The calls whose text arguments become a message a clerk reads.
MESSAGE_CALLS = {
    "DomainError",
    "NotFound",
    "Conflict",
    "Forbidden",
    "one_of",
    "check_text",
    "_require",
    "_text",
    "_leave_by_document",
}
ERROR_CLASSES = {"DomainError", "NotFound", "Conflict", "Forbidden"}
# Read by the operator who starts the server at the command line, not by a clerk.
OPERATOR_MESSAGES = {("web/app.py", "default_secret")}
# What the counter's and the stock forms' errors come from.
FORM_MODULES = (
    "domain/applications.py",
    "domain/calendar.py",
    "domain/errors.py",
    "domain/ledger.py",
    "domain/limits.py",
    "domain/nik.py",
    "domain/serials.py",
    "services/applications",
    "services/calendar/days.py",
    "services/context.py",
    "services/stock",
    "web/applications.py",
    "web/stock",
)
FLAG = re.compile(r"(?<![\w-])--[a-z]")
BRACKETED = re.compile(r"[('\"]([a-z][a-z0-9]*(?:_[a-z0-9]+)*)[)'\"]")


def _name(call: ast.Call) -> str:
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


def _texts(node: ast.AST) -> list[tuple[str, ast.AST]]:
    """The texts in a call's arguments: plain strings, and f-strings with each value as X."""
    out: list[tuple[str, ast.AST]] = []
    for n in ast.walk(node):
        if isinstance(n, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "X" for v in n.values)
            out.append((text, n))
        elif isinstance(n, ast.Constant) and isinstance(n.value, str):
            out.append((n.value, n))
    return out


def message_calls(*layers: str) -> list[tuple[str, ast.Call]]:
    """(module, call) for every call that makes a clerk's message in these layers/modules."""
    found = []
    for layer in layers:
        root = SRC / layer
        for path in sorted(root.rglob("*.py") if root.is_dir() else [root]):
            module = str(path.relative_to(SRC))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and _name(node) in MESSAGE_CALLS:
                    found.append((module, node))
    return found


def _code(call: ast.Call) -> str | None:
    first = call.args[0] if call.args else None
    return first.value if isinstance(first, ast.Constant) else None


def test_no_message_names_a_flag_a_field_code_or_an_iso_date() -> None:
    calls = message_calls("domain", "services", "web")
    fields = set(FIELD_LABEL_ID)
    bad = []
    for module, call in calls:
        if (module, _code(call)) in OPERATOR_MESSAGES:
            continue
        where = f"{module}:{call.lineno}"
        args = [*call.args, *(k.value for k in call.keywords)]
        if _name(call) in ERROR_CLASSES:
            args = args[2:]  # the code and the field are not read as text
        for arg in args:
            for text, node in _texts(arg):
                if " " not in text:
                    continue
                if FLAG.search(text):
                    bad.append(f"{where} names a flag: {text!r}")
                for m in BRACKETED.finditer(text):
                    if m.group(1) in fields or "_" in m.group(1):
                        bad.append(f"{where} names the code {m.group(0)}: {text!r}")
                for v in getattr(node, "values", []):
                    if isinstance(v, ast.FormattedValue) and "isoformat" in ast.unparse(v.value):
                        bad.append(f"{where} writes an ISO date: {text!r}")
    assert len(calls) > 200  # the scan sees the code
    assert not bad, "\n".join(bad)


def test_every_field_the_counter_and_stock_forms_name_has_a_label() -> None:
    named = {
        (call.args[1].value, f"{module}:{call.lineno}")
        for module, call in message_calls(*FORM_MODULES)
        if _name(call) in ERROR_CLASSES
        and len(call.args) > 1
        and isinstance(call.args[1], ast.Constant)
        and isinstance(call.args[1].value, str)
    }
    # And every input of the counter's and the stock forms, by its name.
    inputs = set()
    for template in ("applications", "applications_detail", "applications_prr", "stock"):
        page = (SRC / "web" / "templates" / f"{template}.html").read_text(encoding="utf-8")
        inputs |= set(re.findall(r'<(?:input|select|textarea)[^>]* name="([a-z_]+)"', page))
    inputs -= {"csrf", "idem", "hal", "pemilihan"}  # not a clerk's fields: form plumbing
    assert len(named) > 60 and {"nik", "serials", "document", "laporan_polisi"} <= inputs
    missing = sorted(
        {f"{field} ({where})" for field, where in named if field not in FIELD_LABEL_ID}
    )
    missing += sorted(f"{name} (form input)" for name in inputs if name not in FIELD_LABEL_ID)
    assert not missing, missing


def test_a_field_without_a_label_is_called_isian() -> None:
    assert field_label("source") == "Asal kiriman"
    assert field_label("no_such_field") == "Isian" and field_label(None) == "Isian"


ROOT = typer.main.get_command(app)


@pytest.mark.parametrize(
    ("argv", "field", "flag"),
    [
        (["stock", "receive"], "document", "--document"),
        (["--db", "x.db", "stock", "transfer", "--qty", "3"], "to", "--to"),
        (["stock", "transfer"], "from", "--from"),
        (["stock", "count"], "serials_file", "--serials-file"),
        (["stock", "count"], "counted_at", "--counted-at"),
        (["stock", "count-post", "7"], "count_id", "COUNT_ID"),
        (["app", "new"], "laporan_polisi", "--doc laporan_polisi=NOMOR"),
        (["app", "new"], "ktp_lama", "--doc ktp_lama=diserahkan"),
        (["app", "new"], "type", "--type"),
        (["app", "record", "1704-20261127-7KQX-M9PD"], "date", "--date"),
        # A field the command takes no input for: no flag, the message says the rest.
        (["app", "record"], "status", None),
        (["stock", "receive"], None, None),
        (["no-such-command"], "document", None),
    ],
)
def test_the_cli_names_the_field_by_its_own_flag(argv, field, flag) -> None:  # type: ignore[no-untyped-def]
    assert flag_of(command_of(ROOT, argv), field) == flag


def test_the_cli_prints_the_flag_and_the_message(capsys) -> None:  # type: ignore[no-untyped-def]
    exc = DomainError("required", "document", "Nomor dokumen wajib diisi: nomor laporan polisi.")
    fail(exc, command=command_of(ROOT, ["stock", "lose"]))
    err = " ".join(capsys.readouterr().err.split())
    assert err == "Galat [required] (--document): Nomor dokumen wajib diisi: nomor laporan polisi."
    fail(exc, as_json=True, command=command_of(ROOT, ["stock", "lose"]))
    assert '"field": "document"' in capsys.readouterr().err  # the JSON keeps the field's code
