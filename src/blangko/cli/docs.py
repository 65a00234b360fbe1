"""Writes docs/cli.md from the command tree itself, so the reference cannot drift from --help.

python -m blangko.cli.docs > docs/cli.md
"""

from __future__ import annotations

import typer.main

from blangko.cli.main import app

HEADER = """# Command reference

Generated from the commands' own help by `python -m blangko.cli.docs > docs/cli.md`; a test
fails when this file and `--help` disagree. Global options (`--db`, `--actor`, `--lang`) go
before the command: `blangko --db postgresql+psycopg://... stock balance`.

**Language.** The output is in Bahasa Indonesia unless `--lang en` (before the command) or
`BLANGKO_LANG=en` asks for English; `--lang` wins over the variable, and an unknown value
(`--lang fr`, `BLANGKO_LANG=jv`) is refused with exit 2. Messages, table headers, errors (also
`--json` errors' `message`), numbers (`4,606`) and dates (`December 2, 2026`) follow it; the
`--json` output's keys and codes never change, and the help texts below stay in Indonesian.
Report commands take their own `--lang` too (`blangko report usage --month 2026-11 --lang en`):
the file's language, and this command's.
"""


def _walk(cmd, path: list[str]):  # type: ignore[no-untyped-def]
    yield path, cmd
    if getattr(cmd, "commands", None):
        for name in sorted(cmd.commands):
            yield from _walk(cmd.commands[name], [*path, name])


def _option_line(param) -> str:  # type: ignore[no-untyped-def]
    if param.param_type_name == "argument":
        return f"- `{param.name.upper()}` (argumen): {(getattr(param, 'help', '') or '').strip()}"
    names = ", ".join(f"`{o}`" for o in param.opts)
    help_text = (param.help or "").strip()
    required = " (wajib)" if param.required else ""
    return f"- {names}{required}: {help_text}".rstrip(": ")


def render() -> str:
    root = typer.main.get_command(app)
    out = [HEADER]
    for path, cmd in _walk(root, ["blangko"]):
        if cmd.hidden:
            continue
        title = " ".join(path)
        out.append(f"\n## `{title}`\n")
        doc = (cmd.help or "").strip()
        if doc:
            out.append(doc + "\n")
        params = [p for p in cmd.params if p.name != "help"]
        if params:
            out.append("")
            out.extend(_option_line(p) for p in params)
            out.append("")
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
