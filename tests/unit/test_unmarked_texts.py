"""No user text escapes the English catalog by being written unmarked (issue 18 point 3).

tests/unit/test_catalog.py checks that every *marked* text has its English translation; this
test finds the texts a new module writes without marking them, which would stay Indonesian
in English mode. It walks src/blangko with `ast` and fails, naming file:line, on

- a domain error (``DomainError`` or any subclass of it under src/blangko: ``NotFound``,
  ``Conflict``, ``Forbidden`` ...) whose message is a plain string literal, an f-string, a
  ``"...".format(...)`` or a ``+``/``%`` of a literal: the message must be
  ``Msg(template, **params)``, ``N_("...")`` or a variable;
- in the reports (services/reports/*.py): a table's, a column's, a chart's or a report's
  title, sheet name, note, subtitle or label (``Table``, ``Column``, ``Report``, ``Chart``,
  ``Series``, ``Signature``) given as a plain literal or an f-string;
- in the CLI (cli/*.py): ``console.print`` / ``err_console.print`` of a literal or an f-string
  whose literal parts hold a word (Rich markup such as ``[bold]`` and punctuation do not
  count), and a ``make_table`` / ``key_column`` header or title written so: the text must go
  through ``tr(...)``.

ALLOWED lists the few exceptions, each with its reason. The last tests feed the walker a
made-up module and check that each kind of unmarked text is reported.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "blangko"

# Keyword arguments of the report model that hold a text a reader sees.
REPORT_CLASSES = frozenset({"Table", "Column", "Report", "Chart", "Series", "Signature"})
REPORT_TEXT_KEYWORDS = frozenset(
    {"title", "sheet", "subtitle", "note", "totals_label", "empty_text", "label", "y_label"}
)
# Positional arguments that are texts: (class) -> how many leading positionals.
REPORT_TEXT_POSITIONALS = {"Table": 1, "Column": 1, "Chart": 0, "Series": 1, "Report": 0}
PRINTERS = frozenset({"console", "err_console"})
# The CLI's table helpers (cli/output.py): how many leading positionals are headers.
TABLE_MAKERS = {"make_table": 99, "key_column": 1}

# (path relative to src/blangko, line text stripped) -> why the literal is allowed.
ALLOWED: dict[tuple[str, str], str] = {}

_MARKUP = re.compile(r"\[/?[a-z #0-9]*\]")
_WORD = re.compile(r"[^\W\d_]{2,}")


def _has_word(text: str) -> bool:
    return bool(_WORD.search(_MARKUP.sub("", text)))


def _unmarked(node: ast.expr | None, *, words_only: bool = False) -> bool:
    """True when `node` is a text written as it is: a literal, an f-string, a literal's
    .format() or a + / % with a literal (with `words_only`, only when its literal parts hold
    a word)."""
    if node is None:
        return False
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _has_word(node.value) if words_only else bool(node.value.strip())
    if isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
        text = "".join(str(p) for p in parts)
        return _has_word(text) if words_only else bool(text.strip())
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        return _unmarked(node.func.value, words_only=words_only)  # type: ignore[arg-type]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _unmarked(node.left, words_only=words_only) or (
            isinstance(node.op, ast.Add) and _unmarked(node.right, words_only=words_only)
        )
    return False


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def error_classes(root: Path) -> set[str]:
    """DomainError and every class under `root` that derives from it (by name)."""
    bases: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                names = {n for n in (_name(b) for b in node.bases) if n}
                bases.setdefault(node.name, set()).update(names)
    found = {"DomainError"}
    grew = True
    while grew:
        grew = False
        for cls, parents in bases.items():
            if cls not in found and parents & found:
                found.add(cls)
                grew = True
    return found


def _error_message(call: ast.Call) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == "message":
            return kw.value
    return call.args[2] if len(call.args) >= 3 else None


def violations(root: Path = SRC) -> Iterator[str]:
    """'file:line what' for every unmarked user text under `root`."""
    errors = error_classes(root)
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        rel = path.relative_to(root).as_posix()
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        in_reports = rel.startswith("services/reports/")
        in_cli = rel.startswith("cli/")
        for node in ast.walk(ast.parse(source, filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            found: list[tuple[int, str]] = []
            message = _error_message(node) if name in errors else None
            if message is not None and _unmarked(message):
                found.append((message.lineno, f"{name} message"))
            if in_reports and name in REPORT_CLASSES:
                texts = node.args[: REPORT_TEXT_POSITIONALS.get(name, 0)]
                texts += [kw.value for kw in node.keywords if kw.arg in REPORT_TEXT_KEYWORDS]
                found += [(t.lineno, f"{name} text") for t in texts if _unmarked(t)]
            if in_cli and name in TABLE_MAKERS:
                texts = node.args[: TABLE_MAKERS[name]]
                texts += [kw.value for kw in node.keywords if kw.arg == "title"]
                found += [
                    (t.lineno, f"{name} text") for t in texts if _unmarked(t, words_only=True)
                ]
            if (
                in_cli
                and name == "print"
                and isinstance(node.func, ast.Attribute)
                and _name(node.func.value) in PRINTERS
                and node.args
                and _unmarked(node.args[0], words_only=True)
            ):
                found.append((node.lineno, "console.print text"))
            for line, what in sorted(found):
                if (rel, lines[line - 1].strip()) in ALLOWED:
                    continue
                yield f"{rel}:{line} {what}: {lines[line - 1].strip()}"


def _order(v: str) -> tuple[str, int]:
    where = v.split(" ")[0]
    return where.split(":")[0], int(where.split(":")[1])


# --- the real sources ---------------------------------------------------------------------------


def test_no_unmarked_user_text() -> None:
    found = sorted(violations(), key=_order)
    assert not found, f"{len(found)} unmarked texts (use Msg/N_/tr):\n" + "\n".join(found)


def test_the_error_classes_are_found() -> None:
    assert {"DomainError", "NotFound", "Conflict", "Forbidden"} <= error_classes(SRC)


def test_every_allowed_literal_is_still_there() -> None:
    """An exception no source needs any more is removed from ALLOWED."""
    for rel, line in ALLOWED:
        assert line in (SRC / rel).read_text(encoding="utf-8"), (rel, line)


# --- the walker itself, on a made-up source -----------------------------------------------------


def test_walker_reports_each_kind_of_unmarked_text(tmp_path: Path) -> None:
    root = tmp_path / "blangko"
    for d in ("domain", "services/reports", "cli"):
        (root / d).mkdir(parents=True)
    (root / "domain" / "errors.py").write_text(
        "class DomainError(Exception): ...\n"
        "class Conflict(DomainError): ...\n"
        "class Twice(Conflict): ...\n",
        encoding="utf-8",
    )
    (root / "domain" / "rules.py").write_text(
        "from blangko.domain.errors import Conflict, DomainError, Twice\n"
        "from blangko.domain.text import Msg, N_\n"
        "def f(n, why):\n"
        "    raise DomainError('a', 'qty', 'Jumlah harus positif.')\n"
        "    raise Conflict('b', None, f'Kiriman {n} sudah diterima.')\n"
        "    raise Twice('c', None, message='Stok {} kurang.'.format(n))\n"
        "    raise Conflict('d', None, 'Stok ' + n)\n"
        "    raise Conflict('e', None, Msg('Kiriman {n} sudah diterima.', n=n))\n"
        "    raise Conflict('f', None, N_('Jumlah harus positif.'))\n"
        "    raise Conflict('g', None, why)\n",
        encoding="utf-8",
    )
    (root / "services" / "reports" / "r.py").write_text(
        "def build(n):\n"
        "    t = Table('Daftar kartu', [Column('Seri'), Column(N_('Jumlah'))], sheet='IKD')\n"
        "    u = Table(N_('Daftar'), [], note=f'{n} kartu')\n"
        "    return Report(name='r', title=Msg('Rekap {n}', n=n), subtitle=N_('Per bulan'))\n",
        encoding="utf-8",
    )
    (root / "cli" / "c.py").write_text(
        "def show(n):\n"
        "    console.print('Kiriman diterima.')\n"
        "    console.print(f'[bold]{n}[/] keping')\n"
        "    console.print(f'[bold]{tr(\"Galat\")}[/] {n}')\n"
        "    console.print(tr('Selesai.'))\n"
        "    console.print('')\n"
        "    err_console.print(f'{n}: {n}')\n"
        "    make_table(key_column('Kode'), 'Nama', key_column(tr('Stok')), '#', title=f'{n}')\n"
        "    make_table(key_column('No.'), tr('Nama'), title=f'Daftar {n}')\n",
        encoding="utf-8",
    )
    found = sorted(v.split(": ")[0] for v in violations(root))
    assert found == [
        "cli/c.py:2 console.print text",
        "cli/c.py:3 console.print text",
        "cli/c.py:8 key_column text",
        "cli/c.py:8 make_table text",
        "cli/c.py:9 key_column text",
        "cli/c.py:9 make_table text",
        "domain/rules.py:4 DomainError message",
        "domain/rules.py:5 Conflict message",
        "domain/rules.py:6 Twice message",
        "domain/rules.py:7 Conflict message",
        "services/reports/r.py:2 Column text",
        "services/reports/r.py:2 Table text",
        "services/reports/r.py:2 Table text",
        "services/reports/r.py:3 Table text",
    ]
