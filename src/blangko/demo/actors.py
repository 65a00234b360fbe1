"""Who writes the demo's history: the demo's user of each role (services.admin.users.
DEMO_USERS), never the account that happens to run `blangko demo`. The stock keeper receives,
moves and counts blanks; the counter operator takes applications and prints; the head closes
services and registers events; the administrator sets the office up."""

from __future__ import annotations

from dataclasses import replace

from blangko.domain.access import ADMIN, KEPALA, OPERATOR, STOK
from blangko.services.admin.users import DEMO_USERS
from blangko.services.context import Context

USER_OF_ROLE = {role: name for name, role in DEMO_USERS}
ADMIN_USER = USER_OF_ROLE[ADMIN]
HEAD = USER_OF_ROLE[KEPALA]
OPERATOR_USER = USER_OF_ROLE[OPERATOR]
STOCK_KEEPER = USER_OF_ROLE[STOK]


def acting(ctx: Context, username: str) -> Context:
    """The same context, writing as the demo user ``username``."""
    return replace(ctx, actor=username)
