"""Rationing (penjatahan cetak): the head's policies (set, end, their history), the head's
exceptions for one application, and what a policy does to the print path, the counter, the
print queue and the public status page (the rules: domain.rationing).

The print path (`check_print`, called by applications.print_card and print_from_backlog in
their own transaction) refuses, under a policy in force that day:

- a print beyond the day's cap (`ration_cap_reached`, naming the cap and the next day
  printing resumes);
- a print of an application while one of a higher class waits print-ready
  (`ration_not_your_turn`, naming the class that waits);

unless the head has given an exception for that application that day (`allow`), which the
print's event names with its reason.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any, NotRequired

from sqlalchemy import Connection
from typing_extensions import TypedDict

from blangko.adapters.repos import applications as app_repo
from blangko.adapters.repos import rationing as repo
from blangko.domain import rationing as dr
from blangko.domain.applications import Status, parse_receipt
from blangko.domain.errors import Conflict, DomainError, NotFound
from blangko.domain.limits import check_date
from blangko.domain.text import N_, Msg
from blangko.services.calendar.days import OfficeCalendar
from blangko.services.context import Context, WriteTx, resolve_office, write_once

# How far ahead the counter's expected date is looked for (open days of printing).
EXPECTED_DAYS_MAX = 366


class PolicyView(TypedDict):
    """A policy as it stands (its latest version)."""

    number: int
    version: int
    start: str
    end: str
    daily_cap: int
    classes: list[str]
    class_labels: list[str]
    others_get: str
    others_label: str
    reason: str
    actor: str
    at: str
    state: str  # berlaku | akan_datang | selesai


class PolicyVersion(TypedDict):
    number: int
    version: int
    action: str
    start: str
    end: str
    daily_cap: int
    classes: list[str]
    others_get: str
    reason: str
    actor: str
    at: str


class ExceptionView(TypedDict):
    receipt: str
    day: str
    reason: str
    actor: str
    at: str


class Policies(TypedDict):
    """The office's policies as they stand, the one in force today, their whole history and
    the head's exceptions."""

    office: str
    today: str
    active: PolicyView | None
    policies: list[PolicyView]
    history: list[PolicyVersion]
    exceptions: list[ExceptionView]
    printed_today: int
    defaults: list[str]


class PolicyWritten(TypedDict):
    office: str
    policy: PolicyView
    replayed: bool


class ExceptionWritten(TypedDict):
    office: str
    exception: ExceptionView
    replayed: bool


class Wait(TypedDict):
    """Why a print-ready application waits under a policy: its class, its place in the
    rationed queue, how many of a higher class are ahead, the day its card is expected
    (None: after the policy's end), and what the others get."""

    number: int
    daily_cap: int
    end: str
    class_key: str
    class_label: str
    priority: bool
    position: int
    queue: int
    higher_ahead: int
    expected_date: str | None
    others_get: str
    others_label: str
    message: str
    printed_today: NotRequired[int]


class WaitAnswer(TypedDict):
    """The answer to "why does this application wait": None when no policy is in force or
    the application is not waiting to print."""

    receipt: str
    wait: Wait | None


class PublicNotice(TypedDict):
    """The policy in force as the public status page says it."""

    start: str
    end: str
    daily_cap: int
    classes: list[str]
    class_labels: list[str]
    others_get: str
    others_label: str


def _policy(row: Any) -> dr.Policy:
    return dr.Policy(
        row.start_date, row.end_date, int(row.daily_cap), tuple(json.loads(row.classes)),
        row.others_get,
    )  # fmt: skip


def _state(row: Any, today: date) -> str:
    if row.end_date < row.start_date or row.end_date < today:
        return "selesai"
    return "akan_datang" if row.start_date > today else "berlaku"


def _view(row: Any, today: date) -> PolicyView:
    classes = list(json.loads(row.classes))
    return {
        "number": int(row.policy_no),
        "version": int(row.version),
        "start": row.start_date.isoformat(),
        "end": row.end_date.isoformat(),
        "daily_cap": int(row.daily_cap),
        "classes": classes,
        "class_labels": [dr.class_label(c) for c in classes],
        "others_get": row.others_get,
        "others_label": dr.OTHERS_LABEL_ID[row.others_get],
        "reason": row.reason,
        "actor": row.actor,
        "at": row.at.isoformat(),
        "state": _state(row, today),
    }


def _version(row: Any) -> PolicyVersion:
    return {
        "number": int(row.policy_no),
        "version": int(row.version),
        "action": row.action,
        "start": row.start_date.isoformat(),
        "end": row.end_date.isoformat(),
        "daily_cap": int(row.daily_cap),
        "classes": list(json.loads(row.classes)),
        "others_get": row.others_get,
        "reason": row.reason,
        "actor": row.actor,
        "at": row.at.isoformat(),
    }


def _exception(row: Any) -> ExceptionView:
    return {
        "receipt": row.receipt,
        "day": row.day.isoformat(),
        "reason": row.reason,
        "actor": row.actor,
        "at": row.at.isoformat(),
    }


def active_row(conn: Connection, office: str, day: date) -> Any | None:
    """The policy (its latest version) in force at the office on ``day``, if any."""
    return next((r for r in repo.current(conn, office) if r.start_date <= day <= r.end_date), None)


def active_policy(conn: Connection, office: str, day: date) -> dr.Policy | None:
    row = active_row(conn, office, day)
    return _policy(row) if row is not None else None


def _reason(reason: str | None, what: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise DomainError("required", "reason", Msg("Alasan {what} wajib diisi.", what=what))
    if len(text) > dr.REASON_MAX:
        raise DomainError(
            "text_too_long",
            "reason",
            Msg("Alasan paling banyak {REASON_MAX} karakter.", REASON_MAX=dr.REASON_MAX),
        )
    return text


# --- the head's writes -------------------------------------------------------------------------


def set_policy(
    ctx: Context,
    *,
    start: date | None,
    end: date | None,
    daily_cap: int | None,
    reason: str | None,
    classes: list[str] | None = None,
    others_get: str | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> PolicyWritten:
    """Switch on a rationing policy from ``start`` to ``end`` (inclusive). Refused, with
    nothing written: a cap below zero, the end before the start, an unknown or repeated
    class, an unknown choice for the others, a period overlapping another policy, a start in
    the past (a policy rules prints to come), no reason."""
    policy = dr.check_policy(
        start=start, end=end, daily_cap=daily_cap, classes=classes, others_get=others_get
    )
    why = _reason(reason, "penjatahan")
    params = {
        "start": policy.start,
        "end": policy.end,
        "daily_cap": policy.daily_cap,
        "classes": list(policy.classes),
        "others_get": policy.others_get,
        "reason": why,
    }

    def body(tx: WriteTx) -> PolicyWritten:
        today = ctx.today()
        if policy.start < today:
            raise DomainError(
                "start_in_past",
                "start",
                Msg(
                    (
                        "Tanggal mulai ({start:%d-%m-%Y}) sudah lewat: penjatahan berlaku "
                        "mulai hari ini ({today:%d-%m-%Y}) atau nanti."
                    ),
                    start=policy.start,
                    today=today,
                ),
            )
        existing = [
            (int(r.policy_no), r.start_date, r.end_date)
            for r in repo.current(tx.conn, tx.office)
            if r.end_date >= r.start_date
        ]
        dr.check_no_overlap(policy, existing)
        number = repo.next_policy_no(tx.conn, tx.office)
        repo.insert_version(
            tx.conn,
            office=tx.office,
            policy_no=number,
            version=1,
            action="set",
            start=policy.start,
            end=policy.end,
            daily_cap=policy.daily_cap,
            classes=policy.classes,
            others_get=policy.others_get,
            reason=why,
            actor=ctx.actor,
            at=ctx.now(),
        )
        row = repo.versions(tx.conn, tx.office, number)[-1]
        return {"office": tx.office, "policy": _view(row, today), "replayed": False}

    return write_once(ctx, office, "rationing.set", params, idempotency_key, body)


def end_policy(
    ctx: Context,
    *,
    number: int,
    reason: str | None,
    last_day: date | None = None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> PolicyWritten:
    """End policy ``number`` early: its last day becomes ``last_day`` (default yesterday, so
    today's prints are no longer capped; a policy not yet begun is withdrawn). Written as
    the policy's next version; the earlier versions stay."""
    why = _reason(reason, "mengakhiri penjatahan")
    params = {"number": number, "last_day": last_day, "reason": why}

    def body(tx: WriteTx) -> PolicyWritten:
        today = ctx.today()
        rows = repo.versions(tx.conn, tx.office, number)
        if not rows:
            raise NotFound(
                "unknown_policy",
                "number",
                Msg("Penjatahan #{number} tidak ada di kantor ini.", number=number),
            )
        row = rows[-1]
        last = last_day if last_day is not None else today - timedelta(days=1)
        last = max(last, row.start_date - timedelta(days=1))  # before its start: withdrawn
        if last < today - timedelta(days=1):
            raise DomainError(
                "end_in_past",
                "end",
                Msg(
                    (
                        "Hari terakhir ({last:%d-%m-%Y}) sudah lewat: penjatahan dapat "
                        "diakhiri paling awal mulai hari ini (hari terakhir kemarin)."
                    ),
                    last=last,
                ),
            )
        if last >= row.end_date:
            raise Conflict(
                "policy_already_ends",
                "end",
                Msg(
                    (
                        "Penjatahan #{number} sudah berakhir pada {end_date:%d-%m-%Y}: tidak "
                        "ada yang diubah."
                    ),
                    number=number,
                    end_date=row.end_date,
                ),
            )
        repo.insert_version(
            tx.conn,
            office=tx.office,
            policy_no=number,
            version=int(row.version) + 1,
            action="end",
            start=row.start_date,
            end=last,
            daily_cap=int(row.daily_cap),
            classes=json.loads(row.classes),
            others_get=row.others_get,
            reason=why,
            actor=ctx.actor,
            at=ctx.now(),
        )
        new = repo.versions(tx.conn, tx.office, number)[-1]
        return {"office": tx.office, "policy": _view(new, today), "replayed": False}

    return write_once(ctx, office, "rationing.end", params, idempotency_key, body)


def allow(
    ctx: Context,
    *,
    receipt: str,
    reason: str | None,
    office: str | None = None,
    idempotency_key: str | None = None,
) -> ExceptionWritten:
    """The head's leave to print one print-ready application today beyond the cap or ahead of
    a higher class, with the reason (recorded; the print names it). Refused when no policy is
    in force today or the application is not print-ready."""
    why = _reason(reason, "pengecualian")
    params = {"receipt": receipt, "reason": why}

    def body(tx: WriteTx) -> ExceptionWritten:
        today = ctx.today()
        number = parse_receipt(receipt).number
        app = app_repo.by_receipt(tx.conn, tx.office, number)
        if app is None:
            raise NotFound(
                "unknown_application",
                "receipt",
                Msg(
                    ("Permohonan dengan tanda terima '{receipt}' tidak ada di kantor {office}."),
                    receipt=receipt,
                    office=tx.office,
                ),
            )
        if active_row(tx.conn, tx.office, today) is None:
            raise Conflict(
                "no_policy_today",
                "receipt",
                N_("Hari ini tidak ada penjatahan cetak: pengecualian tidak diperlukan."),
            )
        if app.status != Status.SIAP_CETAK.value:
            raise Conflict(
                "not_print_ready",
                "receipt",
                Msg(
                    "Permohonan {receipt} tidak sedang menunggu cetak (siap cetak).",
                    receipt=app.receipt,
                ),
            )
        if repo.exception_for(tx.conn, tx.office, app.receipt, today) is not None:
            raise Conflict(
                "exception_exists",
                "receipt",
                Msg("Pengecualian untuk {receipt} hari ini sudah ada.", receipt=app.receipt),
            )
        repo.insert_exception(
            tx.conn,
            office=tx.office,
            receipt=app.receipt,
            day=today,
            reason=why,
            actor=ctx.actor,
            at=ctx.now(),
        )
        row = repo.exception_for(tx.conn, tx.office, app.receipt, today)
        return {"office": tx.office, "exception": _exception(row), "replayed": False}

    return write_once(ctx, office, "rationing.allow", params, idempotency_key, body)


# --- reads --------------------------------------------------------------------------------------


def policies(ctx: Context, *, office: str | None = None) -> Policies:
    """The office's policies, the one in force today, their history and the exceptions."""
    today = ctx.today()
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        rows = repo.current(conn, code)
        history = [_version(r) for r in repo.versions(conn, code)]
        excs = [_exception(r) for r in repo.exceptions(conn, code)]
        printed = repo.prints_on(conn, code, today)
    views = [_view(r, today) for r in rows]
    return {
        "office": code,
        "today": today.isoformat(),
        "active": next((v for v in views if v["state"] == "berlaku"), None),
        "policies": views,
        "history": history,
        "exceptions": excs,
        "printed_today": printed,
        "defaults": list(dr.DEFAULT_CLASSES),
    }


def _queue(conn: Connection, office: str, policy: dr.Policy) -> list[dr.RationItem]:
    items = [
        dr.RationItem(
            r.receipt,
            dr.classes_of(r.type, r.suket_at is not None, json.loads(r.documents)),
            r.submitted_date,
            int(r.day_seq),
        )
        for r in repo.print_ready(conn, office)
    ]
    return dr.order_rationed(items, policy.classes)


def queue_order(conn: Connection, office: str, day: date) -> list[str] | None:
    """The receipts of the print queue in the order of the policy in force on ``day`` (None:
    no policy, the queue keeps its usual order)."""
    policy = active_policy(conn, office, day)
    if policy is None:
        return None
    return [i.receipt for i in _queue(conn, office, policy)]


def queue_classes(conn: Connection, office: str, day: date) -> dict[str, str]:
    """The class each print-ready application is served as under the policy in force on
    ``day`` (empty: no policy)."""
    policy = active_policy(conn, office, day)
    if policy is None:
        return {}
    return {
        i.receipt: dr.class_key(policy.classes, i.classes) for i in _queue(conn, office, policy)
    }


def _resumes(conn: Connection, office: str, day: date) -> date:
    """The next day printing is open after ``day``."""
    cal = OfficeCalendar(conn, office)
    nxt = day + timedelta(days=1)
    for _ in range(EXPECTED_DAYS_MAX):
        if cal.day("pencetakan", nxt).open:
            return nxt
        nxt += timedelta(days=1)
    return nxt


def check_print(
    tx: WriteTx, *, receipt: str | None, member: frozenset[str], day: date
) -> str | None:
    """Refuse a print that the policy in force on ``day`` does not allow (module docstring);
    returns the note the print's event adds (the policy, or the exception used), None when
    no policy is in force. ``receipt`` None: a print straight from the registry's PRR list."""
    row = active_row(tx.conn, tx.office, day)
    if row is None:
        return None
    policy = _policy(row)
    leave = repo.exception_for(tx.conn, tx.office, receipt, day) if receipt is not None else None
    if leave is not None:
        return f"penjatahan #{row.policy_no}: pengecualian oleh {leave.actor} ({leave.reason})"
    printed = repo.prints_on(tx.conn, tx.office, day)
    if printed >= policy.daily_cap:
        resumes = _resumes(tx.conn, tx.office, day)
        raise Conflict(
            "ration_cap_reached",
            "date",
            Msg(
                (
                    "Batas cetak penjatahan hari ini ({daily_cap} kartu) sudah tercapai "
                    "({printed} dicetak): cetak dilanjutkan {resumes:%d-%m-%Y}. Kepala "
                    "dinas dapat memberi pengecualian dengan alasan."
                ),
                daily_cap=policy.daily_cap,
                printed=printed,
                resumes=resumes,
            ),
        )
    waiting = [i.classes for i in _queue(tx.conn, tx.office, policy) if i.receipt != receipt]
    ahead = dr.higher_waiting(policy.classes, member, waiting)
    if ahead:
        mine = dr.class_key(policy.classes, member)
        first = min(dr.rank(policy.classes, w) for w in waiting)
        raise Conflict(
            "ration_not_your_turn",
            "receipt",
            Msg(
                (
                    "Penjatahan cetak berlaku: {ahead} permohonan {first_label} menunggu lebih "
                    "dulu, sedangkan permohonan ini {mine_label}. Cetak menurut urutan "
                    "antrean, atau minta pengecualian kepala dinas."
                ),
                ahead=ahead,
                first_label=dr.class_label(policy.classes[first]),
                mine_label=dr.class_label(mine),
            ),
        )
    return f"penjatahan #{row.policy_no}: {dr.class_label(dr.class_key(policy.classes, member))}"


def wait_of(conn: Connection, office: str, receipt: str, today: date) -> Wait | None:
    """Why the print-ready application ``receipt`` waits under the policy in force today
    (None: no policy, or the application is not in the print queue)."""
    row = active_row(conn, office, today)
    if row is None:
        return None
    policy = _policy(row)
    queue = _queue(conn, office, policy)
    place = next((i for i, item in enumerate(queue) if item.receipt == receipt), None)
    if place is None:
        return None
    item = queue[place]
    cal = OfficeCalendar(conn, office)
    open_days = [
        d
        for d in (today + timedelta(days=i) for i in range((policy.end - today).days + 1))
        if cal.day("pencetakan", d).open
    ]
    printed = repo.prints_on(conn, office, today)
    expected = dr.expected_days(place + 1, policy.daily_cap, open_days, printed, today)[-1]
    key = dr.class_key(policy.classes, item.classes)
    priority = key != dr.OTHERS_CLASS
    ahead = dr.higher_waiting(policy.classes, item.classes, (q.classes for q in queue))
    when = (
        f"perkiraan dicetak {expected:%d-%m-%Y}"
        if expected is not None
        else f"dicetak sesudah penjatahan berakhir ({policy.end:%d-%m-%Y})"
    )
    message = (
        f"Penjatahan cetak #{row.policy_no} berlaku (batas {policy.daily_cap} kartu per hari "
        f"sampai {policy.end:%d-%m-%Y}). Permohonan ini: {dr.class_label(key)}, urutan "
        f"{place + 1} dari {len(queue)}"
        + (f", {ahead} dari kelompok lebih tinggi di depannya" if ahead else "")
        + f"; {when}."
    )
    if not priority:
        message += f" Di luar kelompok prioritas: {dr.OTHERS_LABEL_ID[policy.others_get]}."
    return {
        "number": int(row.policy_no),
        "daily_cap": policy.daily_cap,
        "end": policy.end.isoformat(),
        "class_key": key,
        "class_label": dr.class_label(key),
        "priority": priority,
        "position": place + 1,
        "queue": len(queue),
        "higher_ahead": ahead,
        "expected_date": expected.isoformat() if expected is not None else None,
        "others_get": policy.others_get,
        "others_label": dr.OTHERS_LABEL_ID[policy.others_get],
        "message": message,
        "printed_today": printed,
    }


def wait(ctx: Context, *, receipt: str, office: str | None = None) -> Wait | None:
    """`wait_of` in a read transaction of its own. An application not of the office is not
    found, with the same answer as a receipt nobody has (one office does not learn about
    another's applications; tests/web/test_isolation.py)."""
    number = parse_receipt(receipt).number
    with ctx.read() as conn:
        code = resolve_office(conn, office or parse_receipt(receipt).office)
        if app_repo.by_receipt(conn, code, number) is None:
            raise NotFound(
                "unknown_application",
                "receipt",
                Msg(
                    "Permohonan dengan tanda terima '{receipt}' tidak ada di kantor {code}.",
                    receipt=receipt,
                    code=code,
                ),
            )
        return wait_of(conn, code, number, ctx.today())


def public_notice(conn: Connection, office: str, day: date) -> PublicNotice | None:
    """The policy in force on ``day`` as the public may know it (no figures of stock)."""
    row = active_row(conn, office, check_date(day, "date"))
    if row is None:
        return None
    classes = list(json.loads(row.classes))
    return {
        "start": row.start_date.isoformat(),
        "end": row.end_date.isoformat(),
        "daily_cap": int(row.daily_cap),
        "classes": classes,
        "class_labels": [dr.class_label(c) for c in classes],
        "others_get": row.others_get,
        "others_label": dr.OTHERS_LABEL_ID[row.others_get],
    }


def policy_for_forecast(conn: Connection, office: str, as_of: date) -> tuple[int, dr.Policy] | None:
    """The policy the forecast measures: the one in force on ``as_of``, else the next one to
    begin (number and policy)."""
    rows = [
        r for r in repo.current(conn, office) if r.end_date >= as_of and r.end_date >= r.start_date
    ]
    if not rows:
        return None
    row = min(rows, key=lambda r: r.start_date)
    return int(row.policy_no), _policy(row)


def class_shares(conn: Connection, office: str, classes: tuple[str, ...]) -> list[float]:
    """Each class's share of the print queue now (the policy's classes in order, then the
    others), the mix the forecast splits demand by; equal shares when the queue is empty."""
    counts = [0] * (len(classes) + 1)
    for r in repo.print_ready(conn, office):
        member = dr.classes_of(r.type, r.suket_at is not None, json.loads(r.documents))
        counts[dr.rank(classes, member)] += 1
    if not sum(counts):
        return [1.0] * len(counts)
    return [float(c) for c in counts]


def printed_per_day(
    ctx: Context, *, start: date, end: date, office: str | None = None
) -> dict[str, int]:
    """Cards printed per day over a period (a past policy: the cap held), ISO dates."""
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        return {
            d.isoformat(): n for d, n in sorted(repo.prints_between(conn, code, start, end).items())
        }
