"""Layanan: the counter. Find a resident by NIK (with their open application and what can be
done next), register an application with the documents its type needs at this office, take
it through record / ready / print / collect (to the applicant or a proxy; and misprint, suket,
IKD, reject, cancel), print the receipt slip and the proof of collection, the print queue in
the directorate's order, and the print backlog as a work list (`/layanan/prr`: every resident
who will take a blank, by village, with its export for call-ups and jemput bola and the print
of a PRR resident's card straight from it). Pages and the JSON API call the same service
functions.

Names and full NIKs are shown only to the roles that may see personal data
(`domain.access.PERSONAL_DATA_ROLES`); everyone else gets the masked NIK and no name.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from blangko.domain.access import allowed
from blangko.domain.applications import (
    ACTION_DESK,
    ACTIVE,
    COLLECTOR_LABEL_ID,
    DATA_CHANGE_DOCUMENTS,
    DOCUMENT_LABEL_ID,
    HANDED_OVER,
    HANDED_OVER_VALUE,
    STATUS_LABEL_ID,
    TRANSITIONS,
    TYPE_LABEL_ID,
    TYPES,
    Action,
    Status,
)
from blangko.domain.errors import DomainError, one_of
from blangko.domain.ledger import SPOIL_REASON_LABEL_ID, SPOIL_REASONS
from blangko.domain.nik import compact_nik
from blangko.domain.text import N_, Msg
from blangko.domain.wajib_ktp import MARITAL_STATUS_LABEL_ID, RESIDENT_STATUS_LABEL_ID
from blangko.formatting import blank_to_none
from blangko.services import applications, rationing, readlog, registry, reports, worklist
from blangko.services.admin import setup
from blangko.services.applications import (
    ApplicationDetail,
    ApplicationSlip,
    ApplicationView,
    ApplicationWritten,
    CounterLookup,
    HandoverSlip,
    NewApplication,
    QueuedApplication,
)
from blangko.services.calendar import days
from blangko.services.context import Context
from blangko.services.items import queries as items_queries
from blangko.services.worklist import WorkList
from blangko.web.deps import (
    ERRORS,
    IdempotencyKey,
    Limit,
    Offset,
    OptText,
    Page,
    Text,
    api_router,
    api_write,
    download,
    file_responses,
    page,
    page_router,
    render,
    request_ctx,
    reveals_personal_data,
    status_for,
    tr,
    villages_by_kecamatan,
)
from blangko.web.labels import SERVICE_LABELS
from blangko.web.nav import NavItem, register

pages = page_router()
api = api_router()

register(NavItem("page.service", N_("Layanan"), "/layanan", 30))

# In the order the buttons appear: the next step first, corrections and endings last.
ACTION_LABELS = {
    "record": "Rekam",
    "ready": "Siap cetak",
    "print": "Cetak",
    "collect": "Serahkan",
    "suket": "Terbitkan suket",
    "ikd": "Aktivasi IKD",
    "misprint": "Salah cetak",
    "reject": "Tolak",
    "cancel": "Batalkan",
}


def _reveal(request: Request) -> bool:
    return reveals_personal_data(request)


def _can_write(request: Request) -> bool:
    """Whether the caller works the counter (the buttons that change an application)."""
    return allowed("page.service.act", request.state.principal.role)


def run_action(
    ctx: Context,
    office: str | None,
    receipt: str,
    action: str,
    *,
    station: str | None = None,
    serial: str | None = None,
    reason: str | None = None,
    note: str | None = None,
    proxy_nik: str | None = None,
    proxy_name: str | None = None,
    power_of_attorney: str | None = None,
    on: dt.date | None = None,
    idempotency_key: str | None = None,
    printer: str | None = None,
) -> ApplicationWritten:
    """One transition by its action name, with only the fields that action takes."""
    common: dict[str, Any] = {
        "receipt": receipt,
        "on": on,
        "office": office,
        "idempotency_key": idempotency_key,
    }
    act = Action(one_of(action, (a.value for a in Action), "unknown_action", "action", "Tindakan"))
    if act == Action.PRINT:
        if not station:
            raise DomainError("required", "station", Msg("Loket cetak wajib dipilih."))
        return applications.print_card(
            ctx, station=station, serial=serial, printer=printer, **common
        )
    if act == Action.MISPRINT:
        if not reason:
            raise DomainError("required", "reason", Msg("Alasan salah cetak wajib dipilih."))
        return applications.misprint(ctx, reason=reason, note=note, **common)
    if act == Action.REJECT:
        return applications.reject(ctx, reason=reason or "", **common)
    if act == Action.CANCEL:
        return applications.cancel(ctx, reason=reason, **common)
    if act == Action.COLLECT:
        return applications.collect(
            ctx,
            proxy_nik=proxy_nik,
            proxy_name=proxy_name,
            power_of_attorney=power_of_attorney,
            **common,
        )
    fn = {
        Action.RECORD: applications.record,
        Action.READY: applications.ready,
        Action.SUKET: applications.suket,
        Action.IKD: applications.ikd,
    }[act]
    return fn(ctx, **common)


def _working_printers(ctx: Context, office: str | None) -> list[dict[str, str]]:
    """The office's printers working today, for the print form: a broken one is not offered
    (and refused by the print itself when posted from a stale page)."""
    return [
        {"name": p["name"], "station": p["station"]}
        for p in items_queries.list_printers(ctx, office=office)["printers"]
        if p["state"] == "working"
    ]


def _default_printer(printers: list[dict[str, str]], stations: list[str]) -> str | None:
    """The printer chosen before the operator picks one: the single working printer of the
    station the form offers first, when it has exactly one (otherwise none: the operator says
    which)."""
    if not stations:
        return None
    own = [p["name"] for p in printers if p["station"] == stations[0]]
    return own[0] if len(own) == 1 else None


def allowed_actions(view: ApplicationView) -> list[str]:
    """The buttons worth showing for an application in its current status."""
    status = Status(view["status"])
    out = [a for a in ACTION_LABELS if status in TRANSITIONS[Action(a)].allowed_from]
    if view["suket"]:
        out = [a for a in out if a != "suket"]
    if view["ikd"]:
        out = [a for a in out if a != "ikd"]
    return out


# The applications under way the counter page lists (the newest); the page says how many
# there are in all.
ACTIVE_SHOWN = 50


def _labels() -> dict[str, Any]:
    return {
        "status_labels": {k.value: v for k, v in STATUS_LABEL_ID.items()},
        "type_labels": TYPE_LABEL_ID,
        "action_labels": ACTION_LABELS,
        "types": TYPES,
        "data_docs": DATA_CHANGE_DOCUMENTS,
        "doc_labels": DOCUMENT_LABEL_ID,
        # A document handed in (the old card) is said by its label: its value is a code.
        "handed_over": HANDED_OVER,
        "collector_labels": COLLECTOR_LABEL_ID,
        "spoil_reasons": SPOIL_REASONS,
        "spoil_reason_labels": SPOIL_REASON_LABEL_ID,
        "resident_status_labels": RESIDENT_STATUS_LABEL_ID,
        "marital_labels": MARITAL_STATUS_LABEL_ID,
        "service_labels": SERVICE_LABELS,
    }


# Pages -------------------------------------------------------------------------------------
def _service_page(
    request: Request,
    *,
    nik: str | None = None,
    error: DomainError | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    ctx, office = request_ctx(request)
    reveal = _reveal(request)
    found: CounterLookup | None = None
    lookup_error = None
    # The page's reads of personal data are logged once, together, below.
    if blank_to_none(nik):
        try:
            found = applications.lookup(
                ctx, nik=nik or "", reveal=reveal, office=office, note_read=False
            )
        except DomainError as exc:
            lookup_error = exc
    if error is not None and lookup_error is not None and error.code == lookup_error.code:
        error = None  # the same refusal (a malformed NIK): said once
    # The applications under way, newest first: one page of them and how many in all.
    active = applications.list_page(
        ctx,
        statuses=ACTIVE,
        office=office,
        reveal=reveal,
        limit=ACTIVE_SHOWN,
        newest_first=True,
        note_read=False,
    )
    queue = applications.print_queue(ctx, office=office, reveal=reveal, note_read=False)
    # The resident looked up, and the applications listed with their full NIKs.
    shown = (1 if found else 0) + (len(active["items"]) + len(queue) if reveal else 0)
    if shown and office:
        looked_up = compact_nik(nik or "") if found else None
        readlog.note(ctx, office=office, action="counter", nik=looked_up, rows=shown)
    return render(
        request,
        "applications.html",
        backlog=applications.backlog(ctx, office=office),
        registry=registry.registry_age(ctx, office=office),
        status=status_for(lookup_error) if lookup_error and status == 200 else status,
        nik=nik or "",
        found=found,
        resident=found["resident"] if found else None,
        lookup_error=lookup_error,
        active=active["items"],
        active_total=active["total"],
        queue=queue,
        error=error,
        form=form or {},
        idem=uuid.uuid4().hex,
        can_write=_can_write(request),
        reveal=reveal,
        **_labels(),
    )


@pages.get("/layanan", name="page.service", response_class=HTMLResponse)
def service_page(request: Request, nik: str | None = None) -> Response:
    return _service_page(request, nik=nik)


@pages.post("/layanan/baru", name="page.service.new", response_class=HTMLResponse)
def service_new(
    request: Request,
    nik: Text,
    type: Text,  # noqa: A002
    laporan_polisi: OptText = None,
    ktp_lama: OptText = None,
    no_kk: OptText = None,
    akta_kelahiran: OptText = None,
    akta_perkawinan: OptText = None,
    akta_perceraian: OptText = None,
    idem: OptText = None,
) -> Response:
    raw = {
        "laporan_polisi": laporan_polisi,
        "ktp_lama": HANDED_OVER_VALUE if ktp_lama else None,
        "no_kk": no_kk,
        "akta_kelahiran": akta_kelahiran,
        "akta_perkawinan": akta_perkawinan,
        "akta_perceraian": akta_perceraian,
    }
    docs = {k: v.strip() for k, v in raw.items() if v and v.strip()}
    ctx, office = request_ctx(request)
    try:
        result = applications.new(
            ctx,
            nik=nik,
            type=type,
            documents=docs,
            office=office,
            idempotency_key=blank_to_none(idem),
        )
    except DomainError as exc:
        form = {"type": type, **raw}
        return _service_page(request, nik=nik, error=exc, form=form, status=status_for(exc))
    _ = tr(request)
    request.state.session["flash"] = f"{_('Permohonan dicatat')}: {result['receipt']}"
    return RedirectResponse(f"/layanan/permohonan/{result['receipt']}", status_code=303)


def _detail(
    request: Request,
    receipt: str,
    *,
    error: DomainError | None = None,
    status: int = 200,
    form: dict[str, Any] | None = None,
) -> Response:
    ctx, office = request_ctx(request)
    reveal = _reveal(request)
    view = applications.show(ctx, receipt=receipt, office=office, reveal=reveal)
    person = None
    if reveal:
        # Logged with the application (the same resident, the same request).
        person = registry.show_resident(ctx, view["nik"], reveal=True, note_read=False)
    stations = [
        loc["name"] for loc in setup.list_locations(ctx, office=office) if loc["kind"] == "station"
    ]
    actions = allowed_actions(view)
    printers = _working_printers(ctx, office) if "print" in actions else []
    # Under a rationing policy: why this print-ready application waits (class, place, date).
    ration_wait = rationing.wait(ctx, receipt=view["receipt"], office=office)
    # Warned before the button is pressed: a step whose desk is closed today is refused.
    closed = days.desks_closed(ctx, office=office) if _can_write(request) else {}
    desk_closed = {
        a.value: closed[desk]
        for a, desk in ACTION_DESK.items()
        if a.value in actions and desk in closed
    }
    return render(
        request,
        "applications_detail.html",
        status=status,
        app=view,
        person=person,
        actions=actions,
        desk_closed=desk_closed,
        ration_wait=ration_wait,
        stations=stations,
        printers=printers,
        default_printer=_default_printer(printers, stations),
        error=error,
        form=form or {},
        idem=uuid.uuid4().hex,
        can_write=_can_write(request),
        **_labels(),
    )


@pages.get("/layanan/permohonan/{receipt}", name="page.service.show", response_class=HTMLResponse)
def service_show(request: Request, receipt: str) -> Response:
    return _detail(request, receipt)


@pages.get(
    "/layanan/permohonan/{receipt}/tanda-terima",
    name="page.service.slip",
    response_class=HTMLResponse,
)
def service_slip(request: Request, receipt: str) -> Response:
    """The receipt slip, to print and hand to the resident."""
    ctx, office = request_ctx(request)
    doc = applications.slip(ctx, receipt=receipt, office=office, reveal=_reveal(request))
    if doc["status_url"] is None:
        doc["status_url"] = str(request.base_url).rstrip("/") + doc["status_path"]
    return render(request, "applications_slip.html", slip=doc, handover=None, **_labels())


@pages.get(
    "/layanan/permohonan/{receipt}/tanda-terima-penyerahan",
    name="page.service.handover_slip",
    response_class=HTMLResponse,
)
def service_handover_slip(request: Request, receipt: str) -> Response:
    """The proof of collection, to print and have signed at the handover."""
    ctx, office = request_ctx(request)
    doc = applications.handover_slip(ctx, receipt=receipt, office=office, reveal=_reveal(request))
    return render(request, "applications_slip.html", slip=None, handover=doc, **_labels())


@pages.post(
    "/layanan/permohonan/{receipt}/{action}",
    name="page.service.act",
    response_class=HTMLResponse,
)
def service_act(
    request: Request,
    receipt: str,
    action: str,
    station: OptText = None,
    serial: OptText = None,
    printer: OptText = None,
    reason: OptText = None,
    note: OptText = None,
    collector: OptText = None,
    proxy_nik: OptText = None,
    proxy_name: OptText = None,
    power_of_attorney: OptText = None,
    idem: OptText = None,
) -> Response:
    ctx, office = request_ctx(request)
    # The proxy's fields count only when the form says a proxy took the card.
    proxy = collector == "kuasa"
    try:
        result = run_action(
            ctx,
            office,
            receipt,
            action,
            station=blank_to_none(station),
            serial=blank_to_none(serial),
            printer=blank_to_none(printer),
            reason=blank_to_none(reason),
            note=blank_to_none(note),
            proxy_nik=blank_to_none(proxy_nik) if proxy else None,
            proxy_name=blank_to_none(proxy_name) if proxy else None,
            power_of_attorney=blank_to_none(power_of_attorney) if proxy else None,
            idempotency_key=blank_to_none(idem),
        )
    except DomainError as exc:
        applications.show(ctx, receipt=receipt, office=office)  # 404 first if no such receipt
        form = {
            "station": station,
            "printer": printer,
            "collector": collector,
            "proxy_nik": proxy_nik,
            "proxy_name": proxy_name,
            "power_of_attorney": power_of_attorney,
        }
        return _detail(request, receipt, error=exc, status=status_for(exc), form=form)
    _ = tr(request)
    label = _(STATUS_LABEL_ID[Status(result["status"])])
    msg = f"{receipt}: {_(ACTION_LABELS[action])} · {_('status')} {label}"
    if result.get("serial") and action == "print":
        msg += f" · {_('blangko')} {result['serial']}"
    request.state.session["flash"] = msg
    return RedirectResponse(f"/layanan/permohonan/{receipt}", status_code=303)


# API ---------------------------------------------------------------------------------------
class ApplicationIn(BaseModel):
    nik: str = Field(examples=["1704015705900001"])
    type: str = Field(examples=["pemula"], description="pemula, hilang, rusak, perubahan_data")
    documents: dict[str, str] = Field(
        default_factory=dict,
        examples=[{"laporan_polisi": "LP/123/XI/2026"}],
        description="Dokumen per jenis, menurut pengaturan kantor (GET /api/v1/office): "
        "bawaan no_kk (pemula), laporan_polisi (hilang), ktp_lama=diserahkan (rusak), salah "
        "satu dari no_kk / akta_* (perubahan_data).",
    )
    date: dt.date | None = None


class ActionIn(BaseModel):
    station: str | None = Field(None, description="Loket cetak (print).")
    serial: str | None = Field(None, description="Seri blangko tertentu (print; opsional).")
    printer: str | None = Field(
        None, description="Printer loket (print; opsional): cetaknya dihitung pada pitanya."
    )
    reason: str | None = Field(None, description="Alasan (misprint, reject, cancel).")
    note: str | None = None
    proxy_nik: str | None = Field(
        None, description="collect oleh kuasa: NIK kuasa (kosong: diambil pemohon sendiri)."
    )
    proxy_name: str | None = Field(None, description="collect oleh kuasa: nama kuasa.")
    power_of_attorney: str | None = Field(
        None, description="collect oleh kuasa: nomor/tanggal surat kuasa."
    )
    date: dt.date | None = None


@api.get("/api/v1/applications", name="api.applications.list", responses=ERRORS, tags=["layanan"])
def application_list(
    request: Request,
    status: str | None = None,
    type: str | None = None,  # noqa: A002
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[ApplicationView]:
    """Applications, oldest first; NIK masked unless the role needs it."""
    ctx, office = request_ctx(request)
    return applications.list_page(
        ctx,
        status=blank_to_none(status),
        type=blank_to_none(type),
        office=office,
        reveal=_reveal(request),
        limit=limit,
        offset=offset,
    )


@api.get(
    "/api/v1/applications/queue",
    name="api.applications.queue",
    responses=ERRORS,
    tags=["layanan"],
)
def application_queue(
    request: Request, limit: Limit = 100, offset: Offset = 0
) -> Page[QueuedApplication]:
    """The print queue (siap_cetak) in priority order: suket, pemula, hilang/rusak, data."""
    ctx, office = request_ctx(request)
    return page(
        applications.print_queue(ctx, office=office, reveal=_reveal(request)), limit, offset
    )


@api.get(
    "/api/v1/residents/{nik}/counter",
    name="api.applications.lookup",
    responses=ERRORS,
    tags=["layanan"],
)
def application_lookup(request: Request, nik: str) -> CounterLookup:
    """A resident at the counter: registry row, open application, the next step and the
    documents the types allowed now need. A malformed NIK: 400 with the rule it breaks."""
    ctx, office = request_ctx(request)
    return applications.lookup(ctx, nik=nik, office=office, reveal=_reveal(request))


@api.get(
    "/api/v1/applications/{receipt}/slip",
    name="api.applications.slip",
    responses=ERRORS,
    tags=["layanan"],
)
def application_slip(request: Request, receipt: str) -> ApplicationSlip:
    """The receipt slip (tanda terima permohonan): NIK masked, where to check the status."""
    ctx, office = request_ctx(request)
    return applications.slip(ctx, receipt=receipt, office=office, reveal=_reveal(request))


@api.get(
    "/api/v1/applications/{receipt}/handover",
    name="api.applications.handover_slip",
    responses=ERRORS,
    tags=["layanan"],
)
def application_handover_slip(request: Request, receipt: str) -> HandoverSlip:
    """The proof of collection (tanda terima penyerahan) of a collected card."""
    ctx, office = request_ctx(request)
    return applications.handover_slip(ctx, receipt=receipt, office=office, reveal=_reveal(request))


@api.get(
    "/api/v1/applications/{receipt}",
    name="api.applications.show",
    responses=ERRORS,
    tags=["layanan"],
)
def application_show(request: Request, receipt: str) -> ApplicationDetail:
    ctx, office = request_ctx(request)
    return applications.show(ctx, receipt=receipt, office=office, reveal=_reveal(request))


@api.post("/api/v1/applications", name="api.applications.new", responses=ERRORS, tags=["layanan"])
def application_new(
    request: Request, body: ApplicationIn, idempotency_key: IdempotencyKey = None
) -> NewApplication:
    """Register an application; returns its receipt number and first status."""
    return api_write(
        request,
        applications.new,
        idempotency_key,
        nik=body.nik,
        type=body.type,
        documents=body.documents,
        on=body.date,
    )


@api.post(
    "/api/v1/applications/{receipt}/{action}",
    name="api.applications.act",
    responses=ERRORS,
    tags=["layanan"],
)
def application_act(
    request: Request,
    receipt: str,
    action: str,
    body: ActionIn | None = None,
    idempotency_key: IdempotencyKey = None,
) -> ApplicationWritten:
    """record, ready, print (station, printer), misprint (reason), suket, ikd, collect (to the
    applicant, or to a proxy: proxy_nik, proxy_name, power_of_attorney), reject (reason),
    cancel: one step of the application."""
    ctx, office = request_ctx(request)
    b = body or ActionIn()
    return run_action(
        ctx,
        office,
        receipt,
        action,
        station=b.station,
        serial=b.serial,
        printer=b.printer,
        reason=b.reason,
        note=b.note,
        proxy_nik=b.proxy_nik,
        proxy_name=b.proxy_name,
        power_of_attorney=b.power_of_attorney,
        on=b.date,
        idempotency_key=idempotency_key,
    )


# The print backlog as a work list (daftar tunggu cetak) ------------------------------------
PRR_PAGE_SIZE = 100


def _page_number(value: str | None) -> int:
    """The list's page from the query (1 for anything that is not a positive number)."""
    text = (value or "").strip()
    return int(text) if text.isdigit() and 0 < int(text) < 1_000_000 else 1


def _prr_filters(kecamatan: str | None, desa: str | None, pemilihan: str | None) -> dict[str, Any]:
    return {
        "kecamatan": blank_to_none(kecamatan),
        "desa": blank_to_none(desa),
        "election_only": bool(blank_to_none(pemilihan)),
    }


def _prr_page(
    request: Request,
    filters: dict[str, Any],
    number: int,
    *,
    error: DomainError | None = None,
    open_receipt: str | None = None,
    status: int = 200,
) -> Response:
    ctx, office = request_ctx(request)
    reveal = _reveal(request)

    def read(where: dict[str, Any], page_no: int) -> WorkList:
        return worklist.work_list(
            ctx,
            office=office,
            limit=PRR_PAGE_SIZE,
            offset=(page_no - 1) * PRR_PAGE_SIZE,
            reveal=reveal,
            **where,
        )

    try:
        data = read(filters, number)
    except DomainError as exc:  # an unknown kecamatan or village: the whole list, and why
        if error is None:
            error, status = exc, status_for(exc)
        filters, number = _prr_filters(None, None, None), 1
        data = read(filters, number)
    pages = max(1, -(-data["total"] // PRR_PAGE_SIZE))
    if number > pages:  # past the end (the list got shorter): its last page
        number = pages
        data = read(filters, number)
    can_print = allowed("page.service.prr_print", request.state.principal.role)
    stations = (
        [
            loc["name"]
            for loc in setup.list_locations(ctx, office=office)
            if loc["kind"] == "station"
        ]
        if can_print
        else []
    )
    # Printing from the list is refused while the print desk is closed: said before.
    print_desk = ACTION_DESK[Action.PRINT]
    desk_closed = days.desks_closed(ctx, office=office).get(print_desk) if can_print else None
    query = {
        "kecamatan": filters["kecamatan"] or "",
        "desa": filters["desa"] or "",
        "pemilihan": "1" if filters["election_only"] else "",
    }
    return render(
        request,
        "applications_prr.html",
        status=status,
        data=data,
        registry=registry.registry_age(ctx, office=office),
        filters=filters,
        query=urlencode({k: v for k, v in query.items() if v}),
        page_no=number,
        pages=pages,
        groups=villages_by_kecamatan(ctx, office),
        stations=stations,
        can_print=can_print,
        desk_closed=desk_closed,
        error=error,
        open_receipt=open_receipt,
        idem=uuid.uuid4().hex,
        reveal=reveal,
        **_labels(),
    )


@pages.get("/layanan/prr", name="page.service.prr", response_class=HTMLResponse)
def prr_page(
    request: Request,
    kecamatan: str | None = None,
    desa: str | None = None,
    pemilihan: str | None = None,
    hal: str | None = None,
) -> Response:
    """The print backlog as a work list: by kecamatan and village, the longest waiting
    first, election villages flagged; the operator prints a PRR resident's card from it."""
    return _prr_page(request, _prr_filters(kecamatan, desa, pemilihan), _page_number(hal))


@pages.post("/layanan/prr/cetak", name="page.service.prr_print", response_class=HTMLResponse)
def prr_print(
    request: Request,
    nik: Text,
    station: Text,
    kecamatan: OptText = None,
    desa: OptText = None,
    pemilihan: OptText = None,
    hal: OptText = None,
    idem: OptText = None,
) -> Response:
    ctx, office = request_ctx(request)
    try:
        result = applications.print_from_backlog(
            ctx,
            nik=nik,
            station=station.strip(),
            office=office,
            idempotency_key=blank_to_none(idem),
        )
    except DomainError as exc:
        receipt = None
        if exc.code == "application_open":
            receipt = worklist.open_application_of(ctx, nik=nik, office=office)
        filters = _prr_filters(kecamatan, desa, pemilihan)
        return _prr_page(
            request,
            filters,
            _page_number(hal),
            error=exc,
            open_receipt=receipt,
            status=status_for(exc),
        )
    _ = tr(request)
    request.state.session["flash"] = (
        f"{result['receipt']}: {_('dicetak dari daftar tunggu')} · {_('blangko')} "
        f"{result['serial']} · {result['station']}"
    )
    return RedirectResponse(f"/layanan/permohonan/{result['receipt']}", status_code=303)


def _backlog_file(request: Request, filters: dict[str, Any], fmt: str) -> tuple[bytes, str, str]:
    """The work list as an xlsx or pdf report (names and full NIKs only for the roles that
    may see personal data)."""
    ctx, office = request_ctx(request)
    fmt = (fmt or "").strip().lower()
    params = {**filters, "reveal": _reveal(request), "office": office}
    return reports.render(ctx, "backlog", params, fmt)


@pages.get("/layanan/prr/unduh", name="page.service.prr_export")
def prr_export(
    request: Request,
    fmt: str | None = "xlsx",
    kecamatan: str | None = None,
    desa: str | None = None,
    pemilihan: str | None = None,
) -> Response:
    filters = _prr_filters(kecamatan, desa, pemilihan)
    try:
        content, filename, mimetype = _backlog_file(request, filters, fmt or "")
    except DomainError as exc:
        return _prr_page(request, filters, 1, error=exc, status=status_for(exc))
    return download(content, filename, mimetype)


class BacklogPrintIn(BaseModel):
    nik: str = Field(examples=["1704015705900001"], description="NIK penduduk PRR.")
    station: str = Field(examples=["loket-1"], description="Loket cetak.")
    serial: str | None = Field(None, description="Seri blangko tertentu (opsional).")
    date: dt.date | None = None


@api.get("/api/v1/backlog", name="api.backlog", responses=ERRORS, tags=["layanan"])
def backlog_list(
    request: Request,
    kecamatan: str | None = None,
    desa: str | None = None,
    election_only: bool = False,
    limit: Limit = 100,
    offset: Offset = 0,
) -> WorkList:
    """The print backlog as a work list: the registry's print-ready residents without an
    application and the open applications, one row per resident, by kecamatan and village,
    the longest waiting first; election villages flagged. `total` with no filter is the
    print_backlog figure. NIK masked and no name unless the role may see personal data."""
    ctx, office = request_ctx(request)
    return worklist.work_list(
        ctx,
        office=office,
        kecamatan=blank_to_none(kecamatan),
        desa=blank_to_none(desa),
        election_only=election_only,
        limit=limit,
        offset=offset,
        reveal=_reveal(request),
    )


@api.post("/api/v1/backlog/print", name="api.backlog.print", responses=ERRORS, tags=["layanan"])
def backlog_print(
    request: Request, body: BacklogPrintIn, idempotency_key: IdempotencyKey = None
) -> ApplicationWritten:
    """Print a PRR resident's card from the list: the application (pemula) and the print in
    one transaction. Refused, with nothing written, when the resident has an open application
    (`application_open`), is not PRR (`not_prr`) or no blank is at the station."""
    return api_write(
        request,
        applications.print_from_backlog,
        idempotency_key,
        nik=body.nik,
        station=body.station,
        serial=body.serial,
        on=body.date,
    )


@api.get(
    "/api/v1/backlog/export",
    name="api.backlog.export",
    response_class=Response,
    responses={**ERRORS, **file_responses(reports.MIMETYPES["xlsx"], reports.MIMETYPES["pdf"])},
    tags=["layanan"],
)
def backlog_export(
    request: Request,
    fmt: Annotated[str, Query(pattern="^(xlsx|pdf)$", description="xlsx atau pdf")] = "xlsx",
    kecamatan: str | None = None,
    desa: str | None = None,
    election_only: bool = False,
) -> Response:
    """The work list for call-ups and jemput bola as xlsx or pdf, by village (names and full
    NIKs only for the roles that may see personal data)."""
    filters = {
        "kecamatan": blank_to_none(kecamatan),
        "desa": blank_to_none(desa),
        "election_only": election_only,
    }
    content, filename, mimetype = _backlog_file(request, filters, fmt)
    return download(content, filename, mimetype)
