"""The PDF reports' embedded fonts: DejaVu Sans (Debian's fonts-dejavu-core), else the
Bitstream Vera Sans that reportlab ships (DejaVu grew out of it: the same letters, fewer
scripts), so that a PDF can always be written. Registered once per process under one name
(`FONT`, `FONT_BOLD`), whichever file it came from."""

from __future__ import annotations

from pathlib import Path

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_VERA = Path(reportlab.__file__).parent / "fonts"
# (directory, regular file, bold file), in the order tried.
_FILES = [
    (_DEJAVU, "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    (_VERA, "Vera.ttf", "VeraBd.ttf"),
]


def font_files() -> tuple[Path, Path]:
    """The regular and bold TrueType files the reports embed."""
    for folder, regular, bold in _FILES:
        if (folder / regular).is_file() and (folder / bold).is_file():
            return folder / regular, folder / bold
    raise FileNotFoundError(f"no DejaVu Sans nor Vera in {_DEJAVU} or {_VERA}")


def register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    regular, bold = font_files()
    pdfmetrics.registerFont(TTFont(FONT, str(regular)))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(bold)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
    )
