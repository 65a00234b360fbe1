"""The network in the JSON API (/api/v1/shipments): the shipments the user's office sent or
received, one shipment, sending and receiving (docs/network.md). Each route calls the same
service as the command line, for the office the user acts for."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Query, Request
from pydantic import BaseModel, Field

from blangko.services.network import organisation, shipments
from blangko.services.network.results import Organisation, ShipmentView, ShipmentWritten
from blangko.web.deps import ERRORS, Id, IdempotencyKey, api_router, request_ctx

api = api_router()


def _reach(request: Request) -> organisation.Reach:
    """What the user sees of the network: the directorate's users everything, a province's
    user its offices, an office's user its own (docs/network.md)."""
    who = request.state.principal
    return organisation.reach_of(who.scope if who.scoped else None, who.province)


@api.get(
    "/api/v1/network",
    name="api.network",
    response_model=Organisation,
    responses=ERRORS,
    tags=["jaringan"],
)
def network(request: Request) -> Organisation:
    """The directorate, the provinces and the offices within the user's reach, each with its
    stock on hand and what it shipped that is still in transit."""
    ctx, _office = request_ctx(request)
    return organisation.organisation(ctx, reach=_reach(request))


@api.get(
    "/api/v1/shipments",
    name="api.shipments.list",
    response_model=list[ShipmentView],
    responses=ERRORS,
    tags=["jaringan"],
)
def shipment_list(
    request: Request,
    status: Annotated[
        str | None, Query(description="in_transit (dalam perjalanan) atau received (diterima).")
    ] = None,
) -> list[ShipmentView]:
    """The shipments sent or received by the offices within the user's reach (their own; a
    province's user: the province's; the directorate's: all), newest first."""
    ctx, _office = request_ctx(request)
    reach = _reach(request)
    return shipments.list_shipments(ctx, office=reach.office, status=status, reach=reach)


@api.get(
    "/api/v1/shipments/{shipment_id}",
    name="api.shipments.show",
    response_model=ShipmentView,
    responses=ERRORS,
    tags=["jaringan"],
)
def shipment_show(request: Request, shipment_id: Id) -> ShipmentView:
    """One shipment sent or received within the user's reach (another's: not found)."""
    ctx, _office = request_ctx(request)
    return shipments.show(ctx, shipment=shipment_id, reach=_reach(request))


class ShipmentIn(BaseModel):
    to: str = Field(description="Kode kantor tujuan.", examples=["17.04"])
    document: str = Field(description="Nomor surat pengantar / BAST kiriman.")
    serials: str | None = Field(default=None, examples=["KR0001001-KR0002000"])
    qty: int | None = Field(default=None, description="Atau jumlah: seri tersedia terkecil.")
    location: str | None = Field(default=None, description="Lokasi asal (default gudang).")
    date: dt.date | None = None
    note: str | None = None


@api.post(
    "/api/v1/shipments",
    name="api.shipments.send",
    response_model=ShipmentWritten,
    responses=ERRORS,
    tags=["jaringan"],
)
def shipment_send(
    request: Request, body: ShipmentIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """Send blanks to another office: they leave the office's stock and are in transit."""
    ctx, office = request_ctx(request)
    return dict(
        shipments.send(
            ctx,
            from_office=office,
            to_office=body.to,
            document=body.document,
            serials=body.serials,
            qty=body.qty,
            location=body.location,
            effective=body.date,
            note=body.note,
            idempotency_key=idempotency_key,
        )
    )


class ReceiptIn(BaseModel):
    document: str = Field(description="Nomor BAST (berita acara serah terima) penerima.")
    missing: str | None = Field(default=None, description="Seri yang tidak sampai.")
    missing_document: str | None = Field(
        default=None, description="Nomor berita acara kekurangan (wajib bila ada seri hilang)."
    )
    damaged: str | None = Field(default=None, description="Seri yang sampai dalam keadaan rusak.")
    location: str | None = Field(default=None, description="Lokasi tujuan (default gudang).")
    date: dt.date | None = None
    note: str | None = None


@api.post(
    "/api/v1/shipments/{shipment_id}/receive",
    name="api.shipments.receive",
    response_model=ShipmentWritten,
    responses=ERRORS,
    tags=["jaringan"],
)
def shipment_receive(
    request: Request, shipment_id: Id, body: ReceiptIn, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """Receive a shipment addressed to the office against its BAST: in full, short (the
    missing serials lost in transit, with the shortage record) or with damaged cards."""
    ctx, office = request_ctx(request)
    return dict(
        shipments.receive(
            ctx,
            shipment=shipment_id,
            document=body.document,
            missing=body.missing,
            missing_document=body.missing_document,
            damaged=body.damaged,
            location=body.location,
            effective=body.date,
            office=office,
            note=body.note,
            idempotency_key=idempotency_key,
        )
    )
