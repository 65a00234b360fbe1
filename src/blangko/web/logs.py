"""What the server logs must never hold: a resident's full NIK (UU 27/2022 on personal data),
however it is written (1704015705900001, 1704.0112.3456.0001, 1704-..., 1704 0112 ..., and
1704+0112+... or 1704%200112... in a query string).

`install_log_filters()` puts `MaskNik` on the loggers the server writes through (uvicorn's
access and error logs, gunicorn's if it runs the workers, ours) and on their handlers (which
also see what child loggers propagate). `create_app` calls it, so every way of starting the
server gets it: `blangko serve`, `uvicorn --factory blangko.web.app:create_app`, a test.
"""

from __future__ import annotations

import logging

from blangko.domain.nik import mask_niks_in

LOGGERS = (
    "uvicorn",
    "uvicorn.access",
    "uvicorn.error",
    "gunicorn.access",
    "gunicorn.error",
    "blangko",
    "blangko.web",
)


def mask(text: str) -> str:
    """The text with every NIK masked, bare or written with dots, dashes, spaces or a URL's
    '+' / %20 between its digits (the rule is `domain.nik.mask_niks_in`)."""
    return mask_niks_in(text)


class MaskNik(logging.Filter):
    """Masks every NIK in a record's message and string arguments (1704********0001)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, dict):
            record.args = {k: mask(v) if isinstance(v, str) else v for k, v in record.args.items()}
        elif record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(mask(a) if isinstance(a, str) else a for a in args)
        if isinstance(record.msg, str):
            record.msg = mask(record.msg)
        return True


def _add(target: logging.Logger | logging.Handler) -> None:
    if not any(isinstance(f, MaskNik) for f in target.filters):
        target.addFilter(MaskNik())


def install_log_filters() -> None:
    """Put MaskNik on the server's loggers and on their handlers and the root's (once)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        _add(logger)
        for handler in logger.handlers:
            _add(handler)
    for handler in logging.getLogger().handlers:
        _add(handler)
