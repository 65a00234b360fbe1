"""Stok on the web, the ledger of blanks: its pages (`pages.py`) and its JSON API (`api.py`),
which call the same service functions; `inputs.py` holds what both do with a clerk's input.

`web/app.py` takes the two routers from here: `stock.pages` and `stock.api`.
"""

from blangko.web.stock.api import api
from blangko.web.stock.pages import pages

__all__ = ["api", "pages"]
