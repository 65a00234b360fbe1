"""The English catalog is complete for every surface: pages, API, CLI and reports (issue 18).

Every text a user reads is written in Indonesian (the message id) and marked where it is
written, in one of these ways; the checker below finds each marked text and fails on

- a text without an English translation in src/blangko/locale/en/LC_MESSAGES/messages.po
  (missing, empty or fuzzy), or whose translation lost or added a `{placeholder}`;
- an entry of the catalog that no source marks any more (obsolete), and a message id written
  twice in the .po file (duplicate).

The markers (docs/development.md, "Adding a message"):

- templates (src/blangko/web/templates/*.html): ``_("...")``;
- Python anywhere under src/blangko: ``_("...")``, ``N_("...")`` (a plain text) and
  ``Msg("... {x} ...", x=...)`` (domain/text.py: a text with parameters; errors, history
  notes, forecast reasons, report titles);
- label tables: the string values of a module-level dict whose name ends in ``_LABEL_ID``,
  ``_LABELS`` or ``_LABEL`` (codes shown to users: reasons, states, kinds, roles ...);
- domain.text.STORED_NOTES (notes stored in Indonesian, translated when shown).

The last tests feed the checker a made-up source with an unmarked... marked but untranslated
text, a catalog with an obsolete and a duplicate entry, and a translation that dropped a
placeholder, and check that each one is reported: a new string added without its
translation fails this test.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from babel.messages.pofile import read_po

from blangko.domain.text import STORED_NOTES
from blangko.i18n import LOCALE_DIR

SRC = Path(__file__).resolve().parents[2] / "src" / "blangko"
PO = LOCALE_DIR / "en" / "LC_MESSAGES" / "messages.po"

MARKERS = frozenset({"_", "N_", "Msg", "tr"})
TABLE_SUFFIXES = ("_LABEL_ID", "_LABELS", "_LABEL")
_TEMPLATE_CALL = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')\s*[),]""")
_PLACEHOLDER = re.compile(r"(?<!\{)\{(\w*)(?:[!:][^{}]*)?\}(?!\})")


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def python_ids(path: Path) -> Iterator[tuple[str, str]]:
    """(message id, where) for every marked text of one Python module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    rel = path.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.id if isinstance(func, ast.Name) else None
            text = _literal(node.args[0])
            if name in MARKERS and text:
                yield text, f"{rel}:{node.lineno}"
    for node in tree.body:
        target, value = None, None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        if (
            isinstance(target, ast.Name)
            and target.id.endswith(TABLE_SUFFIXES)
            and isinstance(value, ast.Dict)
        ):
            for v in value.values:
                text = _literal(v)
                if text:
                    yield text, f"{rel}:{v.lineno} {target.id}"


def template_ids(path: Path) -> Iterator[tuple[str, str]]:
    """(message id, where) for every ``_("...")`` of one template."""
    text = path.read_text(encoding="utf-8")
    for m in _TEMPLATE_CALL.finditer(text):
        raw = m.group(1) if m.group(1) is not None else m.group(2)
        line = text.count("\n", 0, m.start()) + 1
        yield (
            raw.encode().decode("unicode_escape").encode("latin-1").decode(),
            (f"{path.name}:{line}"),
        )


def marked_ids(root: Path = SRC, extra: Iterable[str] = STORED_NOTES) -> dict[str, str]:
    """Every marked text under `root`, with the first place that marks it."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for msgid, where in python_ids(path):
            found.setdefault(msgid, where)
    for path in sorted(root.rglob("*.html")):
        for msgid, where in template_ids(path):
            found.setdefault(msgid, where)
    for msgid in extra:
        found.setdefault(msgid, "domain/text.py STORED_NOTES")
    return found


def _placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def check(ids: dict[str, str], po_path: Path) -> list[str]:
    """What is wrong with the catalog at `po_path` for the marked texts `ids`."""
    raw = po_path.read_text(encoding="utf-8")
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    problems: list[str] = []
    # Duplicates: babel keeps the last of two equal ids, so count them in the file itself.
    seen: dict[str, int] = {}
    for message in catalog:
        if message.id:
            seen[str(message.id)] = 0
    for m in re.finditer(r'^msgid ((?:"(?:[^"\\]|\\.)*"\s*)+)', raw, re.MULTILINE):
        parts = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))
        msgid = "".join(parts).encode().decode("unicode_escape").encode("latin-1").decode()
        if msgid:
            seen[msgid] = seen.get(msgid, 0) + 1
    problems += [f"duplicate in the catalog: {i!r}" for i, n in sorted(seen.items()) if n > 1]
    translated = {str(m.id): m for m in catalog if m.id}
    for msgid, where in sorted(ids.items()):
        message = translated.get(msgid)
        if message is None or not message.string or message.fuzzy:
            problems.append(f"no English translation ({where}): {msgid!r}")
        elif _placeholders(msgid) != _placeholders(str(message.string)):
            problems.append(f"placeholders differ ({where}): {msgid!r} -> {str(message.string)!r}")
    problems += [
        f"obsolete in the catalog (no source marks it): {i!r}"
        for i in sorted(translated)
        if i not in ids
    ]
    return problems


# --- the real sources and catalog ---------------------------------------------------------------


def test_every_marked_text_has_an_english_translation_and_nothing_is_obsolete() -> None:
    ids = marked_ids()
    # The surfaces all mark their texts: pages, errors, CLI and reports.
    assert len(ids) > 600
    problems = check(ids, PO)
    assert not problems, f"{len(problems)} catalog problems:\n" + "\n".join(problems)


def test_the_markers_reach_every_surface() -> None:
    """Texts of each surface are found: a change of marker would otherwise pass unseen."""
    ids = marked_ids()
    places = {where.split(":")[0] for where in ids.values()}
    for expected in (
        "errors.py",  # field labels
        "applications.py",  # domain errors and next steps
        "forecast.py",  # forecast reasons and warnings
        "main.py",  # the CLI
        "usage.py",  # a report
        "pdf.py",  # the report writer
        "base.html",  # the pages
    ):
        assert expected in places, expected


# --- the checker itself, on made-up sources -----------------------------------------------------


def _po(path: Path, entries: list[tuple[str, str]]) -> Path:
    body = [
        'msgid ""\nmsgstr ""\n"Language: en\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    ]
    body += [f'msgid "{i}"\nmsgstr "{s}"\n' for i, s in entries]
    path.write_text("\n".join(body), encoding="utf-8")
    return path


def test_checker_fails_on_a_new_untranslated_text(tmp_path: Path) -> None:
    root = tmp_path / "blangko"
    (root / "web" / "templates").mkdir(parents=True)
    (root / "domain").mkdir()
    (root / "domain" / "rules.py").write_text(
        "from blangko.domain.text import Msg, N_\n"
        "KIND_LABEL_ID = {'a': 'Satu', 'b': 'Dua'}\n"
        "def f(n):\n"
        "    raise ValueError(Msg('Stok {n} tidak cukup.', n=n))\n"
        "TITLE = N_('Judul baru')\n",
        encoding="utf-8",
    )
    (root / "web" / "templates" / "page.html").write_text(
        '<h1>{{ _("Halaman") }}</h1><p>{{ _("Teks baru tanpa terjemahan") }}</p>',
        encoding="utf-8",
    )
    ids = marked_ids(root, extra=())
    assert set(ids) == {
        "Satu",
        "Dua",
        "Stok {n} tidak cukup.",
        "Judul baru",
        "Halaman",
        "Teks baru tanpa terjemahan",
    }
    po = _po(
        tmp_path / "messages.po",
        [
            ("Satu", "One"),
            ("Dua", "Two"),
            ("Stok {n} tidak cukup.", "Not enough stock."),  # the placeholder is lost
            ("Judul baru", "New title"),
            ("Halaman", "Page"),
            ("Lama", "Old"),  # obsolete
            ("Dua", "Two"),  # duplicate
        ],
    )
    assert check(ids, po) == [
        "duplicate in the catalog: 'Dua'",
        "placeholders differ (rules.py:4): 'Stok {n} tidak cukup.' -> 'Not enough stock.'",
        "no English translation (page.html:1): 'Teks baru tanpa terjemahan'",
        "obsolete in the catalog (no source marks it): 'Lama'",
    ]


def test_checker_passes_a_complete_catalog(tmp_path: Path) -> None:
    root = tmp_path / "blangko"
    root.mkdir()
    (root / "m.py").write_text("x = Msg('Stok {n} habis.', n=1)\n", encoding="utf-8")
    po = _po(tmp_path / "messages.po", [("Stok {n} habis.", "Stock {n} ran out.")])
    assert check(marked_ids(root, extra=()), po) == []
