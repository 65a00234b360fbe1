"""What the browser tests share besides their fixtures (tests/e2e/conftest.py): where
Chromium is, where screenshots go, the demo's ids the server fixture looked up, logging in.

Screenshots and other artifacts go under BLANGKO_ARTIFACTS (default: test-artifacts/ at the
top of the repository, which git ignores).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from blangko.services.calendar.days import holidays_between

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(
    os.environ.get("BLANGKO_ARTIFACTS") or Path(__file__).resolve().parents[2] / "test-artifacts"
)
SHOTS = ARTIFACTS / "screenshots"
PASSWORD = "demo12345"
# The demo's users, one per role (services.admin.users.ensure_demo_users).
USER_OF_ROLE = {
    "admin": "admin",
    "kepala": "kepala",
    "operator": "operator",
    "pengelola_stok": "stok",
    "auditor": "auditor",
}
# Filled by the server fixture: the residents prepared for the counter tests (never recorded,
# recording open) and ids of the demo's objects that pages are opened with.
COUNTER_NIK: dict[str, str] = {}
DEMO: dict[str, Any] = {}


def need_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} not installed (apt-get install chromium)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def working_day_clock():  # type: ignore[no-untyped-def]
    """The office is closed on weekends and holidays: the latest working day, from 10:00 in
    Jakarta, with the clock still moving."""
    started = datetime.now(UTC).replace(tzinfo=None)
    day = (started + timedelta(hours=7)).date()
    holidays = holidays_between(day - timedelta(days=30), day)
    while day.weekday() >= 5 or day in holidays:
        day -= timedelta(days=1)
    base = datetime(day.year, day.month, day.day, 3, 0)
    return lambda: base + (datetime.now(UTC).replace(tzinfo=None) - started)


def login(page, base: str, user: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
