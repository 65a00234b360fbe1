"""Database fixtures: every database test runs on SQLite and on PostgreSQL, each test in a
database of its own (a copied SQLite file; a PostgreSQL database cloned from a migrated
template).

PostgreSQL comes from BLANGKO_TEST_POSTGRES_URL (default: the local server, database
`test`). When it cannot be reached the PostgreSQL tests are skipped with the reason, unless
CI=true or BLANGKO_REQUIRE_POSTGRES=1, where they fail.
"""

from __future__ import annotations

import copy
import os
import queue
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from blangko.adapters.db import make_engine
from blangko.services import derived
from blangko.services.admin import setup
from blangko.services.context import Context

PG_URL = os.environ.get(
    "BLANGKO_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_PG = (
    os.environ.get("CI", "").lower() == "true" or os.environ.get("BLANGKO_REQUIRE_POSTGRES") == "1"
)
# A fixed instant so that "today" is stable inside a test (WIB: 2026-11-27).
FIXED_NOW = datetime(2026, 11, 27, 3, 0, 0)

_pg_problem: str | None = None
_pg_template: str | None = None
_sqlite_template: Path | None = None


def _admin_engine():  # type: ignore[no-untyped-def]
    return create_engine(
        make_url(PG_URL).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )


def _pg_template_name() -> str:
    global _pg_template, _pg_problem
    if _pg_template or _pg_problem:
        if _pg_problem:
            _pg_unavailable()
        return _pg_template  # type: ignore[return-value]
    name = f"blangko_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        admin = _admin_engine()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:  # noqa: BLE001 - any failure means: no server to test on
        _pg_problem = f"PostgreSQL unreachable at {PG_URL}: {exc.__class__.__name__}: {exc}"
        _pg_unavailable()
    engine = make_engine(str(make_url(PG_URL).set(database=name)))
    setup.init(Context(engine, clock=lambda: FIXED_NOW), office=None)
    _load_kaur(engine)
    engine.dispose()
    _pg_template = name
    return name


def _pg_unavailable() -> None:
    if REQUIRE_PG:
        pytest.fail(_pg_problem or "PostgreSQL unavailable", pytrace=False)
    pytest.skip(_pg_problem or "PostgreSQL unavailable")


def _load_kaur(engine) -> None:  # type: ignore[no-untyped-def]
    """Kaur's villages in the template, so offices for 17.04 need no loading per test."""
    from blangko.adapters import regions as reg
    from blangko.adapters.repos.admin import insert_regions

    with engine.begin() as conn:
        insert_regions(conn, reg.shipped_villages("17.04"))


def _sqlite_template_file(tmp_root: Path) -> Path:
    global _sqlite_template
    if _sqlite_template is None:
        path = tmp_root / "template.db"
        engine = make_engine(f"sqlite:///{path}")
        setup.init(Context(engine, clock=lambda: FIXED_NOW))
        _load_kaur(engine)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        _sqlite_template = path
    return _sqlite_template


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    """Argon2 with the smallest cost in the test process: a password hash or check costs
    ~0.15 s with the production parameters (argon2-cffi's defaults: 3 passes over 64 MiB, 4
    lanes) and 1-2 s on a loaded 2-core machine, and the web tests make thousands (five users
    per `staffed` test, a check per log-in). The hashes are still argon2id and every check
    still verifies the password against its hash (argon2 reads the cost from the hash, so a
    server in a subprocess checks these too); tests/unit/test_password_cost.py holds the
    production parameters to the defaults."""
    from argon2 import PasswordHasher

    from blangko.services.admin import users

    real = users._hasher
    users._hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    users._dummy_hash.cache_clear()
    yield
    users._hasher = real
    users._dummy_hash.cache_clear()


@pytest.fixture(scope="session")
def _tmp_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dbs")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, _tmp_root: Path) -> Iterator[str]:
    """A freshly migrated database (regions loaded, no office) of each backend."""
    if request.param == "sqlite":
        path = _tmp_root / f"{uuid.uuid4().hex}.db"
        shutil.copy(_sqlite_template_file(_tmp_root), path)
        yield f"sqlite:///{path}"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = _pg_copies().take()
    try:
        yield str(make_url(PG_URL).set(database=name, drivername="postgresql+psycopg"))
    finally:
        _pg_copies().give_back(name)


class _PgCopies:
    """The template's copies for the PostgreSQL tests, made ahead and dropped behind by two
    threads: a test takes a database that is already there and leaves its drop to the
    server while the next test runs (each took 1-4 s of CREATE and DROP DATABASE, waiting on
    the server's disk, of every PostgreSQL test). Each test still has a fresh copy of its
    own: a copy is taken once and dropped after its test."""

    AHEAD = 2

    def __init__(self, template: str) -> None:
        self.template = template
        self.admin = _admin_engine()
        self.ready: queue.Queue[str | BaseException] = queue.Queue(maxsize=self.AHEAD)
        self.dropped: queue.Queue[str | None] = queue.Queue()
        self.stopping = threading.Event()
        self.maker = threading.Thread(target=self._make, name="pg-copies-make", daemon=True)
        self.dropper = threading.Thread(target=self._drop, name="pg-copies-drop", daemon=True)
        self.maker.start()
        self.dropper.start()

    def _make(self) -> None:
        while not self.stopping.is_set():
            name = f"blangko_t_{uuid.uuid4().hex[:12]}"
            item: str | BaseException = name
            try:
                with self.admin.connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
            except BaseException as exc:  # noqa: BLE001 - handed to the test that takes it
                item = exc
            while True:
                try:
                    self.ready.put(item, timeout=0.2)
                    break
                except queue.Full:
                    if self.stopping.is_set():
                        if isinstance(item, str):
                            self.dropped.put(item)
                        return
            if not isinstance(item, str):
                return

    def _drop(self) -> None:
        while (name := self.dropped.get()) is not None:
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def take(self) -> str:
        item = self.ready.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def give_back(self, name: str) -> None:
        self.dropped.put(name)

    def close(self) -> None:
        self.stopping.set()
        self.maker.join()
        while True:
            try:
                item = self.ready.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, str):
                self.dropped.put(item)
        self.dropped.put(None)
        self.dropper.join()
        self.admin.dispose()


_pg_copies_made: _PgCopies | None = None


def _pg_copies() -> _PgCopies:
    global _pg_copies_made
    if _pg_copies_made is None:
        _pg_copies_made = _PgCopies(_pg_template_name())
    return _pg_copies_made


def _copied(backend: str, source: str, target: str) -> str:
    """A copy of ``source`` as ``target`` (SQLite: files; PostgreSQL: a database cloned from
    the database ``source``), and its URL."""
    if backend == "sqlite":
        shutil.copy(source, target)
        return f"sqlite:///{target}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{target}" TEMPLATE "{source}"'))
    admin.dispose()
    return str(make_url(PG_URL).set(database=target, drivername="postgresql+psycopg"))


# The demo's story of a smaller population, built once per backend (`demo_3000`): backend ->
# (the built SQLite file or PostgreSQL database, what story.build returned).
_demo_templates: dict[str, tuple[str, dict[str, Any]]] = {}


def _demo_template(backend: str, tmp_root: Path) -> tuple[str, dict[str, Any]]:
    from blangko.demo import story

    if backend in _demo_templates:
        return _demo_templates[backend]
    if backend == "sqlite":
        where = str(tmp_root / "demo-3000.db")
        url = _copied(backend, str(_sqlite_template_file(tmp_root)), where)
    else:
        where = f"blangko_demo_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        url = _copied(backend, _pg_template_name(), where)
    engine = make_engine(url)
    built = story.build(Context(engine, actor="petugas-uji", clock=Clock()), population=3000)
    derived.wait_background()
    if backend == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    _demo_templates[backend] = (where, built)
    return _demo_templates[backend]


@dataclass
class Demo:
    ctx: Context
    db_url: str
    built: dict[str, Any]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo_3000(request: pytest.FixtureRequest, _tmp_root: Path) -> Iterator[Demo]:
    """The demo's story with 3.000 residents (`story.build(ctx, population=3000)` on the
    fixture clock), built once per backend; each test gets a copy of its own (a copied SQLite
    file, a PostgreSQL database cloned from the built one), as `db_url` gives a copy of the
    migrated schema. Three tests read it: building it took each of them most of its time."""
    where, built = _demo_template(request.param, _tmp_root)
    path = _tmp_root / f"{uuid.uuid4().hex}.db"
    name = f"blangko_t_{uuid.uuid4().hex[:12]}"
    url = _copied(request.param, where, str(path) if request.param == "sqlite" else name)
    engine = make_engine(url)
    try:
        yield Demo(Context(engine, actor="petugas-uji", clock=Clock()), url, copy.deepcopy(built))
    finally:
        derived.wait_background()
        engine.dispose()
        if request.param == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        else:
            _pg_copies().give_back(name)


# Databases a test module fills once per backend (`built_db_url`): (backend, builder) -> the
# built SQLite file or PostgreSQL database.
_built_templates: dict[tuple[str, str], str] = {}


def _built_template(backend: str, tmp_root: Path, build: Callable[[Context], object]) -> str:
    key = (backend, f"{build.__module__}.{build.__qualname__}")
    if key not in _built_templates:
        if backend == "sqlite":
            where = str(tmp_root / f"built-{uuid.uuid4().hex[:12]}.db")
            url = _copied(backend, str(_sqlite_template_file(tmp_root)), where)
        else:
            where = f"blangko_built_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            url = _copied(backend, _pg_template_name(), where)
        engine = make_engine(url)
        build(Context(engine, actor="petugas-uji", clock=Clock()))
        derived.wait_background()
        if backend == "sqlite":
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        _built_templates[key] = where
    return _built_templates[key]


@pytest.fixture
def built_copy(
    request: pytest.FixtureRequest, _tmp_root: Path
) -> Callable[[str, Callable[[Context], object]], str]:
    """For a module's own `db_url` fixture (`built_copy(request.param, build)`): a database of
    the test's own, copied from one that `build(ctx)` filled once per backend for the run
    (from the migrated template, with the `ctx` fixture's clock and actor), as `demo_3000`
    does for the demo. For the setup of offices, users and shipments that a module's every
    test repeated (1-4 s a test on a loaded machine) and none of them changes before it
    starts; each test still writes only into its own copy."""

    def copy_of(backend: str, build: Callable[[Context], object]) -> str:
        source = _built_template(backend, _tmp_root, build)
        if backend == "sqlite":
            path = _tmp_root / f"{uuid.uuid4().hex}.db"

            def remove() -> None:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)

            request.addfinalizer(remove)
            return _copied(backend, source, str(path))
        name = f"blangko_t_{uuid.uuid4().hex[:12]}"
        url = _copied(backend, source, name)
        request.addfinalizer(lambda: _pg_copies().give_back(name))
        return url

    return copy_of


class Clock:
    """A settable clock for tests: now() in naive UTC."""

    def __init__(self, now: datetime = FIXED_NOW) -> None:
        self.value = now

    def __call__(self) -> datetime:
        return self.value


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(db_url: str):  # type: ignore[no-untyped-def]
    eng = make_engine(db_url)
    yield eng
    # A page view may have left a stale figure to compute again in the background
    # (services.derived): done before the database goes.
    derived.wait_background()
    eng.dispose()


@pytest.fixture
def ctx(engine, clock: Clock) -> Context:  # type: ignore[no-untyped-def]
    return Context(engine, actor="petugas-uji", clock=clock)


@pytest.fixture
def office(ctx: Context) -> str:
    """Kaur (17.04) with its store and one print station."""
    setup.create_office(ctx, code="17.04")
    setup.add_location(ctx, name="loket-1", kind="station", office="17.04")
    return "17.04"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `explore` (minutes of random exploration) run only when a -m expression
    names them (`-m explore`). Not done with `addopts = -m "not explore"`: a -m given on the
    command line replaces that one, so `pytest -m postgres` would run the explorations too."""
    if "explore" in (config.getoption("markexpr") or ""):
        return
    explore = [item for item in items if item.get_closest_marker("explore")]
    if explore:
        config.hook.pytest_deselected(items=explore)
        items[:] = [item for item in items if not item.get_closest_marker("explore")]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _pg_copies_made is not None:
        _pg_copies_made.close()  # before the template: its copies are made from it
    if _pg_template:
        admin = _admin_engine()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{_pg_template}" WITH (FORCE)'))
            if "postgres" in _demo_templates:
                demo = _demo_templates["postgres"][0]
                conn.execute(text(f'DROP DATABASE IF EXISTS "{demo}" WITH (FORCE)'))
            for (backend, _), built in _built_templates.items():
                if backend == "postgres":
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{built}" WITH (FORCE)'))
        admin.dispose()


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    if _pg_problem:
        word = "FAILED" if REQUIRE_PG else "SKIPPED"
        terminalreporter.write_line(f"PostgreSQL tests {word}: {_pg_problem}", red=True)
