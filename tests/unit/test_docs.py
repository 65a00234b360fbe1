"""The command reference in docs/cli.md is the commands' own help, regenerated."""

from pathlib import Path

from blangko.cli.docs import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_cli_reference_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: run `python -m blangko.cli.docs > docs/cli.md`"
    )


def test_every_command_has_help() -> None:
    text = render()
    sections = text.split("\n## ")[1:]
    assert sections, "no commands rendered"
    for section in sections:
        title, _, body = section.partition("\n")
        assert body.strip(), f"{title} has no help text"
