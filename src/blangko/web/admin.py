"""Administration: user accounts and their roles (page and API), the office's locations
(stations and stores), and the office's settings (address, regency seat, the head's name and
NIP for reports; the public status page's address; the documents each application type
needs). Only the administrator changes them, for their own office only (the users service
enforces the scope; the office is always the administrator's own); every member of staff may
list the locations and read the settings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from blangko.domain.access import ROLE_LABELS, ROLES
from blangko.domain.applications import DOCUMENT_LABEL_ID, DOCUMENTS, TYPE_LABEL_ID
from blangko.domain.errors import DomainError
from blangko.domain.text import N_, Msg
from blangko.formatting import blank_to_none
from blangko.services.admin import office as office_settings
from blangko.services.admin import setup, users
from blangko.services.admin.office import OfficeProfile, ProfileWritten
from blangko.services.admin.setup import Location, LocationAdded
from blangko.services.admin.users import UserView
from blangko.web.deps import (
    ERRORS,
    IdempotencyKey,
    Limit,
    Offset,
    OptText,
    Page,
    Text,
    api_router,
    page,
    page_router,
    render,
    request_ctx,
    status_for,
    tr,
    user_scope,
)
from blangko.web.nav import NavItem, register

pages = page_router()
api = api_router()

register(NavItem("page.users", N_("Pengguna"), "/pengguna", 70))
register(NavItem("page.office", N_("Kantor"), "/kantor", 75))


# Pages ---------------------------------------------------------------------------------------
def _users_page(
    request: Request,
    *,
    error: DomainError | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    ctx, _ = request_ctx(request)
    return render(
        request,
        "admin_users.html",
        status=status,
        users=users.list_users(ctx, scope=user_scope(request)),
        roles=ROLES,
        error=error,
        form=form or {},
    )


@pages.get("/pengguna", name="page.users", response_class=HTMLResponse)
def users_page(request: Request) -> Response:
    return _users_page(request)


@pages.post("/pengguna", name="page.users.add", response_class=HTMLResponse)
def users_add(request: Request, username: Text, role: Text, password: Text) -> Response:
    ctx, _ = request_ctx(request)
    try:
        users.add_user(
            ctx, scope=user_scope(request), username=username, role=role, password=password
        )
    except DomainError as exc:
        return _users_page(
            request, error=exc, form={"username": username, "role": role}, status=status_for(exc)
        )
    request.state.session["flash"] = f"{username}: {tr(request)(ROLE_LABELS[role])}"
    return RedirectResponse("/pengguna", status_code=303)


@pages.post("/pengguna/{username}", name="page.users.update", response_class=HTMLResponse)
def users_update(
    request: Request,
    username: str,
    role: Text,
    active: Annotated[str, Form()] = "0",
    password: OptText = None,
) -> Response:
    ctx, _ = request_ctx(request)
    try:
        users.update_user(
            ctx,
            scope=user_scope(request),
            username=username,
            role=role,
            active=active == "1",
            password=blank_to_none(password),
        )
    except DomainError as exc:
        return _users_page(request, error=exc, status=status_for(exc))
    request.state.session["flash"] = f"{username}: {tr(request)(ROLE_LABELS.get(role, role))}"
    return RedirectResponse("/pengguna", status_code=303)


# Pages: the office's settings -----------------------------------------------------------------
def _office_page(
    request: Request,
    *,
    error: DomainError | None = None,
    form: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    ctx, office = request_ctx(request)
    return render(
        request,
        "admin_office.html",
        status=status,
        profile=office_settings.show(ctx, office=office),
        documents=DOCUMENTS,
        doc_labels=DOCUMENT_LABEL_ID,
        type_labels=TYPE_LABEL_ID,
        error=error,
        form=form,
    )


@pages.get("/kantor", name="page.office", response_class=HTMLResponse)
def office_page(request: Request) -> Response:
    return _office_page(request)


@pages.post("/kantor", name="page.office.update", response_class=HTMLResponse)
def office_update(
    request: Request,
    address: Annotated[str, Form()] = "",
    seat: Annotated[str, Form()] = "",
    head_name: Annotated[str, Form()] = "",
    head_nip: Annotated[str, Form()] = "",
    public_url: Annotated[str, Form()] = "",
) -> Response:
    """Every field of the form is written: an emptied field clears its setting."""
    ctx, office = request_ctx(request)
    given = {
        "address": address,
        "seat": seat,
        "head_name": head_name,
        "head_nip": head_nip,
        "public_url": public_url,
    }
    try:
        office_settings.update(ctx, office=office, **given)
    except DomainError as exc:
        return _office_page(request, error=exc, form=given, status=status_for(exc))
    request.state.session["flash"] = tr(request)(N_("Pengaturan kantor disimpan."))
    return RedirectResponse("/kantor", status_code=303)


@pages.post("/kantor/dokumen/{kind}", name="page.office.documents", response_class=HTMLResponse)
def office_documents(
    request: Request,
    kind: str,
    doc: Annotated[list[str] | None, Form()] = None,
    any_one: Annotated[str, Form()] = "0",
    default: Annotated[str, Form()] = "0",
) -> Response:
    """One application type's documents: the ones ticked (all, or any one of them), or back
    to the default."""
    ctx, office = request_ctx(request)
    try:
        if default == "1":
            office_settings.reset_documents(ctx, type=kind, office=office)
        else:
            office_settings.set_documents(
                ctx, type=kind, documents=doc or [], any_one=any_one == "1", office=office
            )
    except DomainError as exc:
        return _office_page(request, error=exc, status=status_for(exc))
    request.state.session["flash"] = tr(request)(
        Msg("Dokumen {type_label} disimpan.", type_label=TYPE_LABEL_ID.get(kind, kind))
    )
    return RedirectResponse("/kantor", status_code=303)


# API: the office's settings -------------------------------------------------------------------
class OfficeIn(BaseModel):
    address: str | None = Field(None, description="Alamat kantor (kop laporan); '' menghapus.")
    seat: str | None = Field(
        None, examples=["Bintuhan"], description="Ibu kota kabupaten: tempat penandatanganan."
    )
    head_name: str | None = Field(None, description="Nama kepala dinas (penanda tangan).")
    head_nip: str | None = Field(None, description="NIP kepala dinas, 18 digit.")
    public_url: str | None = Field(
        None, description="Alamat web status publik, mis. https://dukcapil.kaurkab.go.id/blangko."
    )


class DocumentsIn(BaseModel):
    documents: list[str] = Field(default_factory=list, examples=[["no_kk", "akta_kelahiran"]])
    any_one: bool = Field(False, description="Cukup salah satu dokumen (bukan semuanya).")
    default: bool = Field(False, description="Kembali ke dokumen bawaan untuk jenis ini.")


@api.get("/api/v1/office", name="api.office.show", responses=ERRORS, tags=["admin"])
def office_show(request: Request) -> OfficeProfile:
    """The office's settings and the documents each application type needs."""
    ctx, office = request_ctx(request)
    return office_settings.show(ctx, office=office)


@api.post("/api/v1/office", name="api.office.update", responses=ERRORS, tags=["admin"])
def office_set(
    request: Request, body: OfficeIn, idempotency_key: IdempotencyKey = None
) -> ProfileWritten:
    """Change the settings given (a field left out stays as it is; '' clears it)."""
    ctx, office = request_ctx(request)
    return office_settings.update(
        ctx, office=office, idempotency_key=idempotency_key, **body.model_dump()
    )


@api.post(
    "/api/v1/office/documents/{kind}",
    name="api.office.documents",
    responses=ERRORS,
    tags=["admin"],
)
def office_set_documents(
    request: Request, kind: str, body: DocumentsIn, idempotency_key: IdempotencyKey = None
) -> ProfileWritten:
    """The documents an application type needs at this office (or back to the default)."""
    ctx, office = request_ctx(request)
    if body.default:
        return office_settings.reset_documents(
            ctx, type=kind, office=office, idempotency_key=idempotency_key
        )
    return office_settings.set_documents(
        ctx,
        type=kind,
        documents=body.documents,
        any_one=body.any_one,
        office=office,
        idempotency_key=idempotency_key,
    )


# API: locations ------------------------------------------------------------------------------
class LocationIn(BaseModel):
    name: str
    kind: str = Field(default="station", examples=["station"])


@api.get("/api/v1/locations", name="api.locations.list", responses=ERRORS, tags=["admin"])
def locations(request: Request) -> list[Location]:
    ctx, office = request_ctx(request)
    return setup.list_locations(ctx, office=office)


@api.post("/api/v1/locations", name="api.locations.add", responses=ERRORS, tags=["admin"])
def location_add(
    request: Request, body: LocationIn, idempotency_key: IdempotencyKey = None
) -> LocationAdded:
    ctx, office = request_ctx(request)
    return setup.add_location(ctx, name=body.name, kind=body.kind, office=office)


# API: users ----------------------------------------------------------------------------------
class UserIn(BaseModel):
    username: str
    role: str = Field(examples=["operator"])
    password: str = Field(min_length=1, json_schema_extra={"format": "password"})
    office: str | None = Field(
        default=None, description="Kantor pengguna: kosong atau kantor administrator sendiri."
    )


class UserPatch(BaseModel):
    role: str | None = None
    active: bool | None = None
    password: str | None = None


@api.get("/api/v1/users", name="api.users.list", responses=ERRORS, tags=["admin"])
def user_list(request: Request, limit: Limit = 100, offset: Offset = 0) -> Page[UserView]:
    ctx, _ = request_ctx(request)
    return page(users.list_users(ctx, scope=user_scope(request)), limit, offset)


@api.post("/api/v1/users", name="api.users.add", status_code=201, responses=ERRORS, tags=["admin"])
def user_add(request: Request, body: UserIn, idempotency_key: IdempotencyKey = None) -> UserView:
    ctx, _ = request_ctx(request)
    return users.add_user(
        ctx,
        scope=user_scope(request),
        username=body.username,
        role=body.role,
        password=body.password,
        office=body.office,
    )


@api.post("/api/v1/users/{username}", name="api.users.update", responses=ERRORS, tags=["admin"])
def user_update(
    request: Request, username: str, body: UserPatch, idempotency_key: IdempotencyKey = None
) -> UserView:
    ctx, _ = request_ctx(request)
    return users.update_user(
        ctx,
        scope=user_scope(request),
        username=username,
        role=body.role,
        active=body.active,
        password=body.password,
    )
