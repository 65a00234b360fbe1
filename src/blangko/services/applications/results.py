"""What the application use cases return: TypedDicts, plain dicts at run time, checked by
mypy, and the web API's response models."""

from __future__ import annotations

from typing import NotRequired

from typing_extensions import TypedDict

from blangko.services.admin.office import DocumentRuleView
from blangko.services.calendar.results import DeskNotice
from blangko.services.registry import Resident


# What the use cases return (TypedDicts: plain dicts at run time, checked by mypy, and the
# web API's response models) ---------------------------------------------------------------
class HandoverView(TypedDict):
    """Who collected the card: the applicant (pemohon) or a proxy (kuasa). The proxy's NIK is
    masked and their name left out unless revealed."""

    by: str
    by_label: str
    proxy_nik: str | None
    proxy_name: str | None
    power_of_attorney: str | None


class ApplicationView(TypedDict):
    """An application as lists and writes show it; the NIK and the documents' numbers masked
    unless revealed."""

    receipt: str
    office: str
    nik: str
    type: str
    status: str
    documents: dict[str, str]
    submitted_date: str
    recorded_date: str | None
    ready_date: str | None
    printed_date: str | None
    station: str | None
    serial: str | None
    suket: bool
    ikd: bool
    collected_date: str | None
    handover: HandoverView | None
    reason: str | None


class ApplicationPage(TypedDict):
    """One page of the applications and how many the filters select in all."""

    total: int
    limit: int
    offset: int
    items: list[ApplicationView]


# One step in an application's history; "from" is a keyword: the functional form.
ApplicationEvent = TypedDict(
    "ApplicationEvent",
    {
        "action": str,
        "from": str | None,
        "to": str,
        "date": str,
        "at": str,
        "actor": str,
        "note": str | None,
    },
)


class ApplicationDetail(ApplicationView):
    """One application with its history (`app show`)."""

    events: list[ApplicationEvent]


class ApplicationWritten(ApplicationView):
    """A step taken: the application after it."""

    replayed: bool


class NewApplication(TypedDict):
    """An application registered: its receipt number and first status, and the warning when
    the desk it needs next (recording, or printing) is closed today (None: open)."""

    receipt: str
    status: str
    office: str
    desk_closed: DeskNotice | None
    replayed: bool


class QueuedApplication(ApplicationView):
    """An application in the print queue, with its place (1 first); under a rationing policy
    the class it is served as (domain.rationing; "lainnya": none of the policy's)."""

    position: int
    ration_class: NotRequired[str]


class NextStepView(TypedDict):
    """What the counter can do for a resident now (domain.applications.next_step)."""

    code: str
    message: str
    types: list[str]
    action: str | None
    desk: str | None


class CounterLookup(TypedDict):
    """A resident found at the counter: who they are, their open application (if any), what
    can be done next, the documents each type that may be submitted now needs, and the
    warning when the desk the next step needs is closed today (None: open, or no desk)."""

    resident: Resident
    open_application: ApplicationView | None
    next_step: NextStepView
    documents: list[DocumentRuleView]
    desk_closed: DeskNotice | None


class SlipDocument(TypedDict):
    key: str
    label: str
    value: str


class SlipHead(TypedDict):
    """What both printed slips open with: the office's letterhead and the place it signs at,
    the application and its resident."""

    office: str
    office_name: str
    letterhead: list[str]
    place: str
    receipt: str
    nik: str
    name: str | None
    type: str
    type_label: str


class ApplicationSlip(SlipHead):
    """The receipt slip (tanda terima permohonan) handed to the resident: the NIK always
    masked (a slip may be lost), the name only when revealed."""

    submitted_date: str
    status: str
    status_label: str
    documents: list[SlipDocument]
    status_path: str
    status_url: str | None
    officer: str


class HandoverSlip(SlipHead):
    """The proof of collection (tanda terima penyerahan): the card, when, to whom."""

    serial: str | None
    printed_date: str | None
    collected_date: str
    collected_by: str | None
    collected_by_label: str
    proxy_nik: str | None
    proxy_name: str | None
    power_of_attorney: str | None
    officer: str


# A transition's side effects: (tx, application row, date) -> (column changes, event note).
