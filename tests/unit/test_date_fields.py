"""No template asks for a date or a month with the browser's own field (issue 18, point 3):
Chromium shows <input type=date> and type=month in the browser's locale (mm/dd/yyyy on an
English system) whatever the page says, so every date is _date.html's dd-mm-yyyy text field
and every month its mm-yyyy one."""

from __future__ import annotations

import re
from pathlib import Path

import blangko.web

TEMPLATES = Path(blangko.web.__file__).parent / "templates"
RAW = re.compile(r"""type\s*=\s*["']?(date|month|datetime-local|week)\b""", re.IGNORECASE)
COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)


def _markup(path: Path) -> list[str]:
    """The template's lines without its comments (which may name the raw field to say why
    not), kept at their line numbers."""
    text = path.read_text(encoding="utf-8")
    return COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text).splitlines()


def test_no_template_uses_the_browsers_date_or_month_field() -> None:
    found = [
        f"{path.name}:{n}: {m.group(0)}"
        for path in sorted(TEMPLATES.glob("*.html"))
        for n, line in enumerate(_markup(path), 1)
        if (m := RAW.search(line))
    ]
    assert found == [], "use _date.html's date_input / month_input:\n" + "\n".join(found)


def test_the_check_sees_a_raw_field() -> None:
    # The pattern catches what it is for, so the test above cannot pass by matching nothing.
    assert RAW.search('<input type="date" name="x">') and RAW.search("<input type=month>")
    assert not RAW.search('<input type="text" data-date-input>')
