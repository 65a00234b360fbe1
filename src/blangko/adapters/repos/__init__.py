"""SQL, one module per capability: the services call these functions inside the transaction
they opened and never build statements themselves.

    ledger        entries, the blanks they move, the chain head, closed months
    counts        physical counts (stock opname)
    idempotency   stored results of writes sent with an idempotency key
    admin         offices, locations, regions, web users and log-in attempts
    registry      residents (the civil-registry export)
    applications  applications and their events
    calendar      closures, open days, daily capacity
    events        events and the villages they touch
    coverage      wajib-KTP aggregates over the registry
    forecast      daily use and recordings as the forecast reads them
    rationing     rationing policies (append-only versions), prints of a day, the print queue's classes
"""

from typing import Any

from sqlalchemy import Row

# A result row of any shape (columns are read by name).
AnyRow = Row[*tuple[Any, ...]]
