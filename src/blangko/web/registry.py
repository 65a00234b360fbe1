"""The residents' registry: look a resident up by NIK (the counter's first step). Names and
the full NIK only for the roles that may see personal data; the route allows no other."""

from __future__ import annotations

from fastapi import Request

from blangko.services import registry
from blangko.services.registry import Resident
from blangko.web.deps import ERRORS, api_router, request_ctx, reveals_personal_data

api = api_router()


@api.get("/api/v1/residents/{nik}", name="api.residents.show", responses=ERRORS, tags=["layanan"])
def resident_show(request: Request, nik: str) -> Resident:
    """One resident (name, area, recording and printing dates, wajib-KTP today)."""
    ctx, office = request_ctx(request)
    reveal = reveals_personal_data(request)
    return registry.show_resident(ctx, nik, reveal=reveal, office=office)
