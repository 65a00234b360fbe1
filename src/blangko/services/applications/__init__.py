"""e-KTP applications (permohonan) from the counter to the handover: the use cases that write
them (`lifecycle`), the reads (`queries`: the backlog figure, lists, the print queue, the
counter's look-up, the slips), the rows they share (`rows`) and what they return
(`results`). Callers use the names below."""

from blangko.services.applications.lifecycle import (
    cancel,
    collect,
    ikd,
    misprint,
    new,
    print_card,
    print_from_backlog,
    ready,
    record,
    reject,
    suket,
)
from blangko.services.applications.queries import (
    backlog,
    backlog_of,
    handover_slip,
    list_,
    lookup,
    print_queue,
    show,
    slip,
)
from blangko.services.applications.results import (
    ApplicationDetail,
    ApplicationSlip,
    ApplicationView,
    ApplicationWritten,
    CounterLookup,
    HandoverSlip,
    HandoverView,
    NewApplication,
    NextStepView,
    QueuedApplication,
    SlipDocument,
)

__all__ = [
    "ApplicationDetail",
    "ApplicationSlip",
    "ApplicationView",
    "ApplicationWritten",
    "CounterLookup",
    "HandoverSlip",
    "HandoverView",
    "NewApplication",
    "NextStepView",
    "QueuedApplication",
    "SlipDocument",
    "backlog",
    "backlog_of",
    "cancel",
    "collect",
    "handover_slip",
    "ikd",
    "list_",
    "lookup",
    "misprint",
    "new",
    "print_card",
    "print_from_backlog",
    "print_queue",
    "ready",
    "record",
    "reject",
    "show",
    "slip",
    "suket",
]
