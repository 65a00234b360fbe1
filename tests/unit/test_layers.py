"""The layer rules of docs/development.md, checked on every run.

Each test walks the source of src/blangko with `ast` and names every violation as
`path:line [rule] what`, so a failure says what to move and where:

- layers: a part of blangko imports only the parts listed in MAY_IMPORT (domain nothing but
  itself; adapters domain; services domain and adapters; cli and web never adapters nor each
  other; demo only for cli), plus the EXCEPTIONS named with their reason;
- import-in-function: imports sit at the top of the module, where a reader sees what a module
  depends on, except the heavy third-party modules in LAZY_OK, each with its reason;
- private-name: no module takes another module's `_private` name (`from x import _y`, or
  `x._y` on an imported module);
- web-route: a web module that makes a router at its top level (`APIRouter()`, or deps'
  `page_router()` / `api_router()`) imports neither `blangko.web.app` nor another router
  module; what routers share lives in a module without routes (web/deps.py, or inside a
  capability's package a module such as web/stock/inputs.py).

Why an `ast` walk rather than import-linter: two of the four rules (imports inside functions,
private names) are not import contracts and need an `ast` walk anyway; with one walk for all
four every rule reports the same way (file, line, rule) and the suite needs no new
dependency. Each layer rule is about direct imports, and since every layer obeys its own,
the transitive chains that import-linter would follow cannot break them either.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"

# The parts of blangko (a sub-package, or a top-level module) and the other parts each one may
# import. A part may always import itself. A new part fails the test until it is listed here.
MAY_IMPORT: dict[str, frozenset[str]] = {
    "domain": frozenset(),
    "formatting": frozenset({"domain"}),
    "ticks": frozenset(),
    "settings": frozenset({"domain"}),
    "i18n": frozenset({"domain", "formatting"}),
    "adapters": frozenset({"domain", "formatting", "settings", "i18n", "ticks"}),
    "services": frozenset({"domain", "adapters", "formatting", "settings", "i18n"}),
    "demo": frozenset({"domain", "adapters", "services", "formatting", "settings", "i18n"}),
    "web": frozenset({"domain", "services", "formatting", "settings", "i18n", "ticks"}),
    "cli": frozenset({"domain", "services", "formatting", "settings", "demo", "i18n"}),
    "__init__": frozenset(),
    "__main__": frozenset({"cli"}),
}

# (importing file relative to src/blangko, imported module): why this one import is allowed.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("cli/serve.py", "blangko.web.app"): "`blangko serve` builds the web application to run it",
}

# Third-party modules that may be imported inside a function, and why: each costs a tenth of
# a second or more to import and only a few commands or pages need it.
LAZY_OK: dict[str, str] = {
    "alembic": "migrations: only `blangko init`, `serve` and the test set-up apply them",
    "lokal": "the Kemendagri region tables take ~0.3 s to load; only region loading needs them",
    "numpy": "numerical work only",
    "openpyxl": "Excel files only",
    "playwright": "browser tests only",
    "reportlab": "PDF files only",
    "swagger_ui_bundle": "the /api/docs page only",
    "uvicorn": "only `blangko serve` runs a server",
    # Our own writers that pull the heavy libraries above in at import time.
    "blangko.adapters.reports.xlsx": "imports openpyxl; only an Excel download needs it",
    "blangko.adapters.reports.pdf": "imports reportlab; only a PDF download needs it",
    "blangko.web.app": "FastAPI and the pages (~0.6 s); only `blangko serve` starts the app",
}


def _lazy_ok(target: str) -> bool:
    return any(target == k or target.startswith(k + ".") for k in LAZY_OK)


@dataclass(frozen=True, order=True)
class Violation:
    path: str
    line: int
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} [{self.rule}] {self.detail}"


@dataclass(frozen=True)
class Import:
    target: str  # the module imported, or the module a name is taken from
    name: str | None  # the name taken from `target` when it is not itself a module
    line: int
    function: str | None  # the enclosing function, if any


class Tree:
    """The modules of one `blangko` source tree (the real one, or a made-up one in a test)."""

    def __init__(self, src: Path) -> None:
        self.src = src
        self.files: dict[str, Path] = {}
        for path in sorted((src / "blangko").rglob("*.py")):
            parts = list(path.relative_to(src).with_suffix("").parts)
            if parts[-1] == "__init__" and len(parts) > 1:
                parts.pop()
            self.files[".".join(parts)] = path

    def is_module(self, name: str) -> bool:
        return name in self.files

    def rel(self, module: str) -> str:
        return self.files[module].relative_to(self.src / "blangko").as_posix()

    def source(self, module: str) -> ast.Module:
        path = self.files[module]
        return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    @staticmethod
    def part(module: str) -> str | None:
        """'blangko.services.stock.writes' -> 'services'; None outside blangko."""
        parts = module.split(".")
        if parts[0] != "blangko":
            return None
        if len(parts) == 1:
            return "__init__"
        return parts[1]

    def imports(self, module: str, tree: ast.Module) -> Iterator[Import]:
        is_package = self.files[module].name == "__init__.py"
        package = module if is_package else module.rpartition(".")[0]
        for node, function in _walk(tree, None):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(alias.name, None, node.lineno, function)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join([*anchor, base] if base else anchor)
                if base == "__future__":
                    continue
                for alias in node.names:
                    sub = f"{base}.{alias.name}"
                    if alias.name != "*" and self.is_module(sub):
                        yield Import(sub, None, node.lineno, function)
                    else:
                        yield Import(base, alias.name, node.lineno, function)

    def module_aliases(self, module: str, tree: ast.Module) -> dict[str, str]:
        """Local names bound to a blangko module by the module's own imports."""
        aliases: dict[str, str] = {}
        for node, _ in _walk(tree, None):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname and self.part(alias.name):
                        aliases[alias.asname] = alias.name
            elif isinstance(node, ast.ImportFrom):
                for imp in self.imports(module, ast.Module(body=[node], type_ignores=[])):
                    if imp.name is None and self.part(imp.target):
                        local = next(
                            a.asname or a.name
                            for a in node.names
                            if imp.target.endswith("." + a.name)
                        )
                        aliases[local] = imp.target
        return aliases


def _walk(node: ast.AST, function: str | None) -> Iterator[tuple[ast.AST, str | None]]:
    """Every node with the name of the function it sits in (None at module level)."""
    for child in ast.iter_child_nodes(node):
        yield child, function
        inner = function
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            inner = child.name
        elif isinstance(child, ast.Lambda):
            inner = "<lambda>"
        yield from _walk(child, inner)


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def check(src: Path) -> list[Violation]:
    """Every violation of every rule in the tree under `src`."""
    tree = Tree(src)
    found: list[Violation] = []
    routers = {m for m in tree.files if tree.part(m) == "web" and _builds_router(tree.source(m))}
    for module in tree.files:
        rel = tree.rel(module)
        part = tree.part(module)
        assert part is not None
        syntax = tree.source(module)
        allowed = MAY_IMPORT.get(part)
        if allowed is None:
            found.append(
                Violation(rel, 1, "layers", f"'{part}' is not a known part: add it to MAY_IMPORT")
            )
        for imp in tree.imports(module, syntax):
            target_part = tree.part(imp.target)
            # layers
            if (
                allowed is not None
                and target_part is not None
                and target_part != part
                and target_part not in allowed
                and (rel, imp.target) not in EXCEPTIONS
            ):
                found.append(
                    Violation(
                        rel,
                        imp.line,
                        "layers",
                        f"{part} imports {imp.target} ({part} may import only "
                        f"{', '.join(sorted(allowed)) or 'itself'})",
                    )
                )
            # import-in-function
            if imp.function and not _lazy_ok(imp.target):
                what = imp.target + (f".{imp.name}" if imp.name else "")
                found.append(
                    Violation(
                        rel,
                        imp.line,
                        "import-in-function",
                        f"imports {what} inside {imp.function}(): move it to the top",
                    )
                )
            # private-name (from x import _y)
            if imp.name and _is_private(imp.name) and target_part and imp.target != module:
                found.append(
                    Violation(rel, imp.line, "private-name", f"takes {imp.name} from {imp.target}")
                )
            # web-route
            if module in routers and (
                imp.target == "blangko.web.app" or (imp.target in routers and imp.target != module)
            ):
                found.append(
                    Violation(
                        rel,
                        imp.line,
                        "web-route",
                        f"router module imports {imp.target}: share it through web/deps.py "
                        "or a module without routes",
                    )
                )
        # private-name (x._y on an imported module)
        aliases = tree.module_aliases(module, syntax)
        for node, _ in _walk(syntax, None):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and _is_private(node.attr)
                and aliases[node.value.id] != module
            ):
                found.append(
                    Violation(
                        rel,
                        node.lineno,
                        "private-name",
                        f"uses {node.attr} of {aliases[node.value.id]}",
                    )
                )
    return sorted(set(found))


# The calls that make a router: FastAPI's own, and the two factories of web/deps.py.
ROUTER_FACTORIES = frozenset({"APIRouter", "page_router", "api_router"})


def _builds_router(syntax: ast.Module) -> bool:
    """Whether the module makes a router at its top level (`pages = page_router()`): a route
    module. A factory that only calls `APIRouter` inside a function (deps.py) is not one."""
    for node in syntax.body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        if isinstance(value, ast.Call):
            func = value.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in ROUTER_FACTORIES:
                return True
    return False


@cache
def _violations() -> tuple[Violation, ...]:
    return tuple(check(SRC))


def _check_rule(rule: str, heading: str) -> None:
    found = [str(v) for v in _violations() if v.rule == rule]
    if found:
        pytest.fail(f"{heading} ({len(found)}):\n" + "\n".join(found), pytrace=False)


# --- the rules, on src/blangko ------------------------------------------------------------------


def test_layers_import_inwards_only() -> None:
    _check_rule("layers", "imports that cross the layers")


def test_no_imports_inside_functions() -> None:
    _check_rule(
        "import-in-function",
        "imports inside functions (only the heavy third-party modules in LAZY_OK may load late)",
    )


def test_no_private_names_of_other_modules() -> None:
    _check_rule("private-name", "private names used outside their module")


def test_web_routers_import_no_router_and_no_app() -> None:
    _check_rule("web-route", "web router modules that import the app or another router")


# --- the checker itself, on a made-up tree ------------------------------------------------------


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / "blangko" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for folder in [root / "blangko", *(root / "blangko").rglob("*")]:
        if folder.is_dir() and not (folder / "__init__.py").exists():
            (folder / "__init__.py").write_text("", encoding="utf-8")
    return root


@pytest.fixture
def made_up(tmp_path: Path) -> Path:
    return _write(
        tmp_path,
        {
            "domain/rules.py": "from blangko.domain import errors\nimport blangko.services.x\n",
            "domain/errors.py": "",
            "services/x.py": (
                "from blangko.adapters import repo\n"
                "from blangko.services.y import _helper, public\n"
                "from blangko.services import y\n"
                "from . import y as why\n"
                "def f():\n"
                "    import json\n"
                "    import numpy\n"
                "    return y._helper() + why._other() + y.public() + _own()\n"
                "def _own():\n"
                "    return 1\n"
            ),
            "services/y.py": "def _helper(): ...\ndef _other(): ...\ndef public(): ...\n",
            "adapters/repo.py": "from blangko.services import x\n",
            "cli/serve.py": "from blangko.web.app import create_app\n",
            "cli/stock.py": (
                "from blangko.web.app import create_app\n"
                "from blangko.adapters.repo import thing\n"
                "from blangko.demo import story\n"
                "class C:\n"
                "    def m(self):\n"
                "        from blangko.services import x\n"
            ),
            "cli/output.py": "",
            "demo/story.py": "from blangko.services import x\n",
            "web/app.py": "from blangko.web import stock, deps\n",
            "web/deps.py": (
                "from blangko.services import x\n"
                "from fastapi import APIRouter\n"
                "def page_router():\n"
                "    return APIRouter()\n"
            ),
            "web/calendar/__init__.py": (
                "from blangko.web.calendar.api import api\n"
                "from blangko.web.calendar.pages import pages\n"
            ),
            "web/calendar/pages.py": (
                "from blangko.web import deps\nfrom blangko.web.calendar import inputs\n"
                "pages = deps.page_router()\n"
            ),
            "web/calendar/api.py": (
                "from blangko.web.deps import api_router\nfrom blangko.web.calendar import pages\n"
                "api = api_router()\n"
            ),
            "web/calendar/inputs.py": "from blangko.web import deps\n",
            "web/stock.py": (
                "from fastapi import APIRouter\nfrom blangko.web import deps, coverage\n"
                "from blangko.web.app import render\nrouter = APIRouter()\n"
            ),
            "web/coverage.py": (
                "import fastapi\nfrom blangko.cli import output\nrouter = fastapi.APIRouter()\n"
            ),
            "network/offices.py": "",
        },
    )


def test_checker_names_each_violation_with_file_line_and_rule(made_up: Path) -> None:
    got = {str(v) for v in check(made_up)}
    assert got == {
        "domain/rules.py:2 [layers] domain imports blangko.services.x (domain may import "
        "only itself)",
        "adapters/repo.py:1 [layers] adapters imports blangko.services.x (adapters may import "
        "only domain, formatting, i18n, settings, ticks)",
        "cli/stock.py:1 [layers] cli imports blangko.web.app (cli may import only demo, domain, "
        "formatting, i18n, services, settings)",
        "cli/stock.py:2 [layers] cli imports blangko.adapters.repo (cli may import only demo, "
        "domain, formatting, i18n, services, settings)",
        "cli/stock.py:6 [import-in-function] imports blangko.services.x inside m(): move it "
        "to the top",
        "web/coverage.py:2 [layers] web imports blangko.cli.output (web may import only "
        "domain, formatting, i18n, services, settings, ticks)",
        "services/x.py:2 [private-name] takes _helper from blangko.services.y",
        "services/x.py:6 [import-in-function] imports json inside f(): move it to the top",
        "services/x.py:8 [private-name] uses _helper of blangko.services.y",
        "services/x.py:8 [private-name] uses _other of blangko.services.y",
        "web/stock.py:2 [web-route] router module imports blangko.web.coverage: share it "
        "through web/deps.py or a module without routes",
        "web/stock.py:3 [web-route] router module imports blangko.web.app: share it through "
        "web/deps.py or a module without routes",
        "web/calendar/api.py:2 [web-route] router module imports blangko.web.calendar.pages: "
        "share it through web/deps.py or a module without routes",
        "network/__init__.py:1 [layers] 'network' is not a known part: add it to MAY_IMPORT",
        "network/offices.py:1 [layers] 'network' is not a known part: add it to MAY_IMPORT",
    }


def test_checker_finds_a_new_violation_in_the_real_tree(tmp_path: Path) -> None:
    """A copy of src/blangko with one bad import more has exactly one violation more."""
    files = {
        tree_rel: path.read_text(encoding="utf-8")
        for tree_rel, path in (
            (p.relative_to(SRC / "blangko").as_posix(), p) for p in (SRC / "blangko").rglob("*.py")
        )
    }
    before = {str(v) for v in check(_write(tmp_path / "before", files))}
    files["cli/stock.py"] += "\n\ndef _late():\n    from blangko.adapters import db\n"
    after = {str(v) for v in check(_write(tmp_path / "after", files))}
    assert sorted(after - before) == [
        f"cli/stock.py:{n} [{rule}] {what}"
        for n, rule, what in sorted(
            [
                (
                    files["cli/stock.py"].count("\n"),
                    "import-in-function",
                    "imports blangko.adapters.db inside _late(): move it to the top",
                ),
                (
                    files["cli/stock.py"].count("\n"),
                    "layers",
                    "cli imports blangko.adapters.db (cli may import only demo, domain, "
                    "formatting, i18n, services, settings)",
                ),
            ]
        )
    ]
