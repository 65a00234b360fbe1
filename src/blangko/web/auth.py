"""Log-in and log-out (session cookie), the language switch, and the API's bearer tokens."""

from __future__ import annotations

import os
from functools import partial
from typing import Annotated, Any

import anyio
from fastapi import Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from blangko.domain.errors import DomainError
from blangko.services.admin import users
from blangko.web import i18n
from blangko.web.deps import (
    ERRORS,
    ErrorOut,
    Text,
    api_router,
    page_router,
    render,
    safe_next,
    status_for,
)
from blangko.web.security import new_csrf

pages = page_router()
api = api_router()

# A password check (argon2) takes about 0,1 s and 1,3 cores. A burst of log-ins (an office's
# staff at opening time, or guesses at many names) would take every core from the pages of
# those already at work; so a server process checks at most one password per two cores at a
# time, and the log-ins wait their turn in the event loop, holding none of the worker
# threads the pages need.
LOG_INS = anyio.CapacityLimiter(max(1, (os.cpu_count() or 2) // 2))


async def _in_turn(check: Any) -> Any:
    return await anyio.to_thread.run_sync(check, limiter=LOG_INS)


# Pages ---------------------------------------------------------------------------------------
@pages.get("/login", name="page.login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    if request.state.principal.username:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "auth_login.html", next=safe_next(next), error=None, username="")


@pages.post("/login", name="page.login.submit", response_class=HTMLResponse)
async def login_submit(
    request: Request, username: Text, password: Text, next: Annotated[str, Form()] = "/"
) -> Response:
    response: Response = await _in_turn(
        partial(_log_in, request, username=username, password=password, next=next)
    )
    return response


def _log_in(request: Request, *, username: str, password: str, next: str) -> Response:
    try:
        user = users.authenticate(request.app.state.ctx, username=username, password=password)
    except DomainError as exc:
        return render(
            request,
            "auth_login.html",
            status=status_for(exc),
            next=safe_next(next),
            error=exc,
            username=username,
        )
    session = request.state.session
    session["u"] = user["username"]
    session["v"] = user["session_version"]
    session["csrf"] = new_csrf()  # a fresh token per log-in: one seen before cannot be replayed
    return RedirectResponse(safe_next(next), status_code=303)


@pages.post("/logout", name="page.logout")
def logout(request: Request) -> Response:
    """Log out everywhere: every session and token of this user ends, not only this one."""
    users.end_sessions(request.app.state.ctx, username=request.state.principal.username)
    session = request.state.session
    session.pop("u", None)
    session.pop("v", None)
    session["csrf"] = new_csrf()
    return RedirectResponse("/login", status_code=303)


@pages.get("/bahasa/{lang}", name="page.lang")
def switch_language(request: Request, lang: str, next: str = "/") -> Response:
    if lang in i18n.LANGUAGES:
        request.state.session["lang"] = lang
    return RedirectResponse(safe_next(next), status_code=303)


# API -----------------------------------------------------------------------------------------
class TokenOut(BaseModel):
    access_token: str
    token_type: str


@api.post(
    "/api/v1/auth/token",
    name="api.auth.token",
    response_model=TokenOut,
    responses={401: {"model": ErrorOut}, 429: {"model": ErrorOut}},
    tags=["auth"],
)
async def token(
    request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]
) -> dict[str, str]:
    """Exchange a user name and password for a bearer token (8 hours)."""
    user: users.AuthenticatedUser = await _in_turn(
        partial(
            users.authenticate,
            request.app.state.ctx,
            username=form.username,
            password=form.password,
        )
    )
    return {
        "access_token": request.app.state.signer.issue_token(
            user["username"], user["session_version"]
        ),
        "token_type": "bearer",
    }


@api.post(
    "/api/v1/auth/logout",
    name="api.auth.logout",
    status_code=204,
    responses=ERRORS,
    tags=["auth"],
)
def api_logout(request: Request) -> Response:
    """End every session and token of the calling user at once (this token included)."""
    users.end_sessions(request.app.state.ctx, username=request.state.principal.username)
    return Response(status_code=204)


class MeOut(BaseModel):
    """Who the bearer of the token is."""

    username: str | None
    role: str
    office: str | None


@api.get("/api/v1/me", name="api.me", response_model=MeOut, responses=ERRORS, tags=["auth"])
def me(request: Request) -> dict[str, Any]:
    who = request.state.principal
    return {"username": who.username, "role": who.role, "office": who.office}
