"""Administration: user accounts and their roles (page and API), and the office's locations
(stations and stores). Only the administrator changes them, for their own office only (the
users service enforces the scope); every member of staff may list the locations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from blangko.domain.access import ROLE_LABELS, ROLES
from blangko.domain.errors import DomainError
from blangko.formatting import blank_to_none
from blangko.services.admin import setup, users
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
    user_scope,
)
from blangko.web.nav import NavItem, register

pages = page_router()
api = api_router()

register(NavItem("page.users", "Pengguna", "/pengguna", 70))


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
    request.state.session["flash"] = f"{username}: {ROLE_LABELS[role]}"
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
    request.state.session["flash"] = f"{username}: {ROLE_LABELS.get(role, role)}"
    return RedirectResponse("/pengguna", status_code=303)


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
