"""What the network use cases return (TypedDicts: plain dicts, checked by mypy)."""

from __future__ import annotations

from typing_extensions import TypedDict


class DirectorateCreated(TypedDict):
    code: str
    name: str
    created: bool


class OfficeInNetwork(TypedDict):
    code: str
    name: str
    kind: str  # direktorat | kabupaten
    entries: int
    on_hand: int  # blanks available at its locations
    in_transit: int  # blanks it has shipped that are not received yet


class ProvinceInNetwork(TypedDict):
    code: str
    name: str
    offices: list[OfficeInNetwork]
    on_hand: int


class Organisation(TypedDict):
    directorate: OfficeInNetwork | None
    provinces: list[ProvinceInNetwork]
    on_hand: int  # the whole network
    in_transit: int
    open_loans: list[LoanView]  # on their way or not yet settled, within reach


class ShipmentView(TypedDict):
    id: int
    from_office: str
    to_office: str
    status: str  # in_transit | received
    sent_date: str
    sent_by: str
    sent_seq: int
    document: str
    quantity: int
    serials: str
    note: str | None
    received_date: str | None
    received_by: str | None
    received_document: str | None
    received_qty: int | None
    lost_qty: int | None
    damaged_qty: int | None
    received_seq: int | None
    lost_seq: int | None
    lost_document: str | None
    request: int | None  # the request this shipment is a tranche of
    loan_id: int | None  # a loan's shipment or a return of it (docs/network.md, "Loans")


class ShipmentWritten(TypedDict):
    office: str  # the ledger written: the sender's on sending, the receiver's on receiving
    shipment: ShipmentView
    replayed: bool


class NetworkProblem(TypedDict):
    office: str | None
    shipment: int | None
    message: str


class LedgerBalance(TypedDict):
    office: str
    on_hand: int
    net: int  # opening + received - consumed - spoiled - lost - returned - shipped + adjusted
    holds: bool


class NetworkVerification(TypedDict):
    sound: bool
    problems: list[NetworkProblem]
    ledgers: list[LedgerBalance]
    shipments: int
    open_shipments: int
    in_transit: int
    shipped: int  # every ship_out entry's cards
    arrived: int  # every ship_in entry's cards
    lost_in_transit: int
    # the whole network: on hand + in transit == opening + received from outside the network
    # - consumed - spoiled - lost - returned + adjusted (shipments inside cancel out)
    on_hand: int
    net_external: int
    whole_holds: bool


class LoanEvent(TypedDict):
    step: str  # arranged | sent | received | return_sent | returned | settled | written_off
    actor: str
    at: str
    quantity: int | None
    shipment: int | None
    comment: str | None


class LoanView(TypedDict):
    id: int
    lender: str
    borrower: str
    status: str  # arranged | sent | open | settled | written_off
    quantity: int  # as arranged
    reason: str
    due_date: str
    overdue: bool  # open past its due date
    arranged_by: str
    arranged_at: str
    lent: int  # received by the borrower
    returned: int  # received back by the lender
    returning: int  # in return shipments still in transit
    written_off: int
    outstanding: int  # lent - returned - written off
    shipments: list[int]
    events: list[LoanEvent]


class LoanWritten(TypedDict):
    office: str  # the ledger whose chain the write locked
    loan: LoanView
    shipment: ShipmentView | None  # the shipment a send or a return made
    replayed: bool
