"""Loans of blanks between offices (issue 13, point 5; docs/network.md, "Loans").

A province's user (both offices of that province) or the directorate arranges a loan from an
office with a surplus (the lender) to an office at risk (the borrower): quantity, reason,
due date. The lender's stock keeper sends it as a shipment marked with the loan
(shipments.book_send, in the lender's write); the borrower receives it as any shipment (the
receipt opens the loan: loan_book.shipment_received). The borrower returns it by later
shipments marked with the loan (partial returns add up; settled when all that was lent is
back), or the directorate writes off what is still owed, with a reason. Every step is on the
loan's timeline (actor, time, comment). Arranging and writing off lock the lender's chain
head (its idempotency keys); sending the lender's, returning the borrower's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from blangko.adapters.repos import loans as repo
from blangko.adapters.repos import network as network_repo
from blangko.domain.errors import Conflict, DomainError, Forbidden, NotFound
from blangko.domain.limits import MAX_SERIALS_PER_WRITE, check_serial_count
from blangko.domain.serials import SerialRange, parse_ranges, total
from blangko.domain.text import N_, Msg
from blangko.formatting import num
from blangko.services.context import Context, WriteTx, write_once
from blangko.services.network import loan_book
from blangko.services.network.organisation import DIRECTORATE, EVERYTHING, Reach
from blangko.services.network.results import LoanView, LoanWritten
from blangko.services.network.shipments import book_send

STATUSES = ("arranged", "sent", "open", "settled", "written_off")


def _loan_id(value: int | str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise DomainError(
            "loan_id", "loan", Msg("Nomor pinjaman '{value}' tidak sah.", value=value)
        )
    return number


def _unknown(number: int) -> NotFound:
    return NotFound("unknown_loan", "loan", Msg("Pinjaman #{number} tidak ada.", number=number))


def _text(value: str | None, field: str, what: str) -> str:
    if value is None or not value.strip():
        raise DomainError("required", field, Msg("{what} wajib diisi.", what=what))
    return value.strip()


def _view(tx: WriteTx, row: Any, today: date) -> LoanView:
    return loan_book.views(tx.conn, [row], today)[0]


def arrange(
    ctx: Context,
    *,
    lender: str,
    borrower: str,
    quantity: int,
    reason: str,
    due: date | None,
    reach: Reach = EVERYTHING,
    idempotency_key: str | None = None,
) -> LoanWritten:
    """Arrange a loan of `quantity` blanks from `lender` to `borrower`, due back by `due`:
    for a province's user both offices of its province; the directorate any two offices."""
    lender = _text(lender, "lender", "Kantor pemberi pinjaman")
    borrower = _text(borrower, "borrower", "Kantor peminjam")
    if reach.office is not None and not reach.everything:
        raise Forbidden(
            "loan_arranger",
            "lender",
            N_("Pinjaman antarkantor diatur oleh provinsi atau direktorat, bukan oleh kantor."),
        )
    check_serial_count(quantity, "quantity", limit=MAX_SERIALS_PER_WRITE)
    if quantity < 1:
        raise DomainError("qty_positive", "quantity", N_("Jumlah keping harus lebih dari 0."))
    why = _text(reason, "reason", "Alasan pinjaman")
    if due is None:
        raise DomainError("required", "due", Msg("{what} wajib diisi.", what="Tanggal kembali"))
    if due < ctx.today():
        raise DomainError(
            "due_in_past",
            "due",
            Msg("Tanggal kembali {due:%d-%m-%Y} sudah lewat.", due=due),
        )
    with ctx.read() as conn:
        for code, field in ((lender, "lender"), (borrower, "borrower")):
            kind = network_repo.office_kind(conn, code)
            if kind is None:
                raise NotFound(
                    "unknown_office",
                    field,
                    Msg("Kantor '{office}' tidak ada di basis data ini.", office=code),
                )
            if kind == DIRECTORATE:
                raise DomainError(
                    "loan_directorate",
                    field,
                    N_(
                        "Pinjaman hanya antarkantor kabupaten/kota; blangko direktorat "
                        "dikirim sebagai kiriman biasa."
                    ),
                )
    if lender == borrower:
        raise DomainError(
            "same_office",
            "borrower",
            N_("Kantor peminjam sama dengan kantor pemberi pinjaman: pilih kantor lain."),
        )
    if not reach.everything:
        for code, field in ((lender, "lender"), (borrower, "borrower")):
            if not reach.covers(code):
                raise Forbidden(
                    "outside_province",
                    field,
                    Msg(
                        (
                            "Kantor {office} di luar provinsi {province}: pinjaman antarprovinsi "
                            "diatur oleh direktorat."
                        ),
                        office=code,
                        province=reach.province or "-",
                    ),
                )
    params = {
        "lender": lender,
        "borrower": borrower,
        "quantity": quantity,
        "reason": why,
        "due": due,
    }

    def body(tx: WriteTx) -> LoanWritten:
        number = repo.insert_loan(
            tx.conn,
            lender=lender,
            borrower=borrower,
            quantity=quantity,
            reason=why,
            due_date=due,
            arranged_by=ctx.actor,
            arranged_at=ctx.now(),
        )
        repo.add_event(
            tx.conn,
            loan_id=number,
            step="arranged",
            actor=ctx.actor,
            at=ctx.now(),
            quantity=quantity,
            comment=why,
        )
        row = repo.get(tx.conn, number)
        return {
            "office": tx.office,
            "loan": _view(tx, row, ctx.today()),
            "shipment": None,
            "replayed": False,
        }

    return write_once(ctx, lender, "loan.arrange", params, idempotency_key, body)


def _found(ctx: Context, number: int, reach: Reach) -> Any:
    with ctx.read() as conn:
        row = repo.get(conn, number)
    if row is None or not (reach.covers(row.office_code) or reach.covers(row.to_office)):
        raise _unknown(number)
    return row


def _acting(office: str | None, row: Any, side: str, number: int) -> str:
    """The office that acts: `side`'s office of the loan; another party refused."""
    want = row.office_code if side == "lender" else row.to_office
    acting = office.strip() if office and office.strip() else want
    if acting not in (row.office_code, row.to_office):
        raise _unknown(number)
    if acting != want:
        message = (
            Msg(
                "Pinjaman #{number} dikirim oleh kantor pemberi pinjaman {office}.",
                number=number,
                office=want,
            )
            if side == "lender"
            else Msg(
                "Pinjaman #{number} dikembalikan oleh kantor peminjam {office}.",
                number=number,
                office=want,
            )
        )
        raise DomainError("not_" + side, "loan", message)
    return acting


def _serials_or_qty(
    serials: str | None, qty: int | None, default: int | None
) -> tuple[list[SerialRange] | None, int | None, int]:
    """(ranges asked, qty asked, how many) of a send or a return."""
    if serials is not None and serials.strip():
        if qty is not None:
            raise DomainError(
                "serials_or_qty",
                "serials",
                N_("Sebutkan rentang seri yang dikirim atau jumlah kepingnya (salah satu saja)."),
            )
        asked = parse_ranges(serials, field="serials", limit=MAX_SERIALS_PER_WRITE)
        return asked, None, total(asked)
    if qty is None:
        if default is None:
            raise DomainError(
                "serials_or_qty",
                "qty",
                N_("Sebutkan rentang seri yang dikirim atau jumlah kepingnya (salah satu saja)."),
            )
        qty = default
    check_serial_count(qty, "qty", limit=MAX_SERIALS_PER_WRITE)
    if qty < 1:
        raise DomainError("qty_positive", "qty", N_("Jumlah keping harus lebih dari 0."))
    return None, qty, qty


def _shipping(
    number: int,
    document: str,
    serials: str | None,
    qty: int | None,
    location: str | None,
    effective: date,
    note: str | None,
) -> dict[str, Any]:
    """What a loan sent or returned is asked: the idempotency key replays only the same."""
    return {
        "loan": number,
        "document": document,
        "serials": serials,
        "qty": qty,
        "location": location,
        "date": effective,
        "note": note,
    }


def _ship(
    tx: WriteTx,
    ctx: Context,
    params: dict[str, Any],
    asked: list[SerialRange] | None,
    *,
    to_office: str,
    step: str,
) -> LoanWritten:
    """The shipment of a loan sent (step 'sent': the loan is then sent) or returned
    ('return_sent'), marked with the loan, and the step in the loan's timeline."""
    number = params["loan"]
    shipped = book_send(
        tx,
        to_office=to_office,
        document=params["document"],
        asked=asked,
        qty=params["qty"],
        location=params["location"],
        effective=params["date"],
        note=params["note"],
        loan_id=number,
    )
    if step == "sent":
        repo.update_loan(tx.conn, number, status="sent")
    repo.add_event(
        tx.conn,
        loan_id=number,
        step=step,
        actor=ctx.actor,
        at=ctx.now(),
        quantity=shipped["quantity"],
        shipment_id=shipped["id"],
        comment=shipped["document"],
    )
    after = repo.get(tx.conn, number)
    return {
        "office": tx.office,
        "loan": _view(tx, after, ctx.today()),
        "shipment": shipped,
        "replayed": False,
    }


def send(
    ctx: Context,
    *,
    loan: int | str,
    document: str,
    serials: str | None = None,
    qty: int | None = None,
    location: str | None = None,
    effective: date | None = None,
    note: str | None = None,
    office: str | None = None,
    reach: Reach = EVERYTHING,
    idempotency_key: str | None = None,
) -> LoanWritten:
    """The lender sends the loan: a shipment to the borrower marked with the loan, of the
    loan's quantity (the lowest serials available at the store, or the serials named)."""
    number = _loan_id(loan)
    effective = effective or ctx.today()
    row = _found(ctx, number, reach)
    lender = _acting(office, row, "lender", number)
    asked, qty, how_many = _serials_or_qty(serials, qty, int(row.quantity))
    if how_many != int(row.quantity):
        raise DomainError(
            "loan_quantity",
            "serials" if asked is not None else "qty",
            Msg(
                "Pinjaman #{number} diatur {quantity} keping; yang dikirim {value}.",
                number=number,
                quantity=num(int(row.quantity)),
                value=num(how_many),
            ),
        )
    params = _shipping(number, document, serials, qty, location, effective, note)

    def body(tx: WriteTx) -> LoanWritten:
        locked = repo.get(tx.conn, number, lock=True)
        assert locked is not None
        if locked.status != "arranged":
            raise Conflict(
                "loan_sent",
                "loan",
                Msg("Pinjaman #{number} sudah dikirim: dikirim sekali saja.", number=number),
            )
        return _ship(tx, ctx, params, asked, to_office=locked.to_office, step="sent")

    return write_once(ctx, lender, "loan.send", params, idempotency_key, body)


def return_loan(
    ctx: Context,
    *,
    loan: int | str,
    document: str,
    serials: str | None = None,
    qty: int | None = None,
    location: str | None = None,
    effective: date | None = None,
    note: str | None = None,
    office: str | None = None,
    reach: Reach = EVERYTHING,
    idempotency_key: str | None = None,
) -> LoanWritten:
    """The borrower returns (part of) an open loan: a shipment to the lender marked with the
    loan. Not more than is still owed (lent - returned - written off - on its way back)."""
    number = _loan_id(loan)
    effective = effective or ctx.today()
    row = _found(ctx, number, reach)
    borrower = _acting(office, row, "borrower", number)
    asked, qty, how_many = _serials_or_qty(serials, qty, None)
    field = "serials" if asked is not None else "qty"
    params = _shipping(number, document, serials, qty, location, effective, note)

    def body(tx: WriteTx) -> LoanWritten:
        locked = repo.get(tx.conn, number, lock=True)
        assert locked is not None
        if locked.status in ("arranged", "sent"):
            raise Conflict(
                "loan_not_open",
                "loan",
                Msg(
                    "Pinjaman #{number} belum diterima peminjam: belum ada yang dikembalikan.",
                    number=number,
                ),
            )
        if locked.status in ("settled", "written_off"):
            raise Conflict(
                "loan_closed",
                "loan",
                Msg("Pinjaman #{number} sudah selesai.", number=number),
            )
        owed = (
            int(locked.lent_qty)
            - int(locked.returned_qty)
            - int(locked.written_off_qty)
            - repo.pending_returns(tx.conn, number, borrower)
        )
        if how_many > owed:
            raise DomainError(
                "return_exceeds",
                field,
                Msg(
                    (
                        "Pinjaman #{number} masih {owed} keping yang belum kembali; "
                        "tidak dapat mengembalikan {value}."
                    ),
                    number=number,
                    owed=num(owed),
                    value=num(how_many),
                ),
            )
        return _ship(tx, ctx, params, asked, to_office=locked.office_code, step="return_sent")

    return write_once(ctx, borrower, "loan.return", params, idempotency_key, body)


def write_off(
    ctx: Context,
    *,
    loan: int | str,
    reason: str,
    reach: Reach = EVERYTHING,
    idempotency_key: str | None = None,
) -> LoanWritten:
    """The directorate writes off what an open loan still owes, with a reason: the loan is
    closed (the blanks stay where they are: on the borrower's stock or consumed)."""
    number = _loan_id(loan)
    row = _found(ctx, number, reach)
    if not reach.everything:
        raise Forbidden(
            "directorate_only",
            "loan",
            N_("Hanya direktorat yang dapat menghapusbukukan pinjaman."),
        )
    why = _text(reason, "reason", "Alasan penghapusan")
    params = {"loan": number, "reason": why}

    def body(tx: WriteTx) -> LoanWritten:
        locked = repo.get(tx.conn, number, lock=True)
        assert locked is not None
        if locked.status != "open":
            raise Conflict(
                "loan_not_open",
                "loan",
                Msg(
                    "Pinjaman #{number} tidak terbuka: hanya pinjaman terbuka yang dihapusbukukan.",
                    number=number,
                ),
            )
        if repo.pending_returns(tx.conn, number, locked.to_office):
            raise Conflict(
                "return_in_transit",
                "loan",
                Msg(
                    (
                        "Pengembalian pinjaman #{number} masih dalam perjalanan: terima dulu, "
                        "lalu hapusbukukan sisanya."
                    ),
                    number=number,
                ),
            )
        rest = int(locked.lent_qty) - int(locked.returned_qty)
        repo.update_loan(tx.conn, number, status="written_off", written_off_qty=rest)
        repo.add_event(
            tx.conn,
            loan_id=number,
            step="written_off",
            actor=ctx.actor,
            at=ctx.now(),
            quantity=rest,
            comment=why,
        )
        after = repo.get(tx.conn, number)
        return {
            "office": tx.office,
            "loan": _view(tx, after, ctx.today()),
            "shipment": None,
            "replayed": False,
        }

    return write_once(ctx, row.office_code, "loan.write_off", params, idempotency_key, body)


def list_loans(
    ctx: Context,
    *,
    office: str | None = None,
    status: str | None = None,
    reach: Reach = EVERYTHING,
) -> list[LoanView]:
    """Loans lent or borrowed by `office` (every office's when None) within `reach`, newest
    first."""
    if status is not None and status not in STATUSES:
        raise DomainError(
            "loan_status",
            "status",
            N_("Status pinjaman harus arranged, sent, open, settled atau written_off."),
        )
    with ctx.read() as conn:
        if office is not None and network_repo.office_kind(conn, office.strip()) is None:
            raise NotFound(
                "unknown_office", "office", Msg("Kantor '{office}' tidak ada.", office=office)
            )
        rows = [
            r
            for r in repo.loans(conn, office.strip() if office else None, status)
            if reach.covers(r.office_code) or reach.covers(r.to_office)
        ]
        return loan_book.views(conn, rows, ctx.today())


def show(ctx: Context, *, loan: int | str, reach: Reach = EVERYTHING) -> LoanView:
    """One loan within `reach` (else: not found), with its shipments and timeline."""
    number = _loan_id(loan)
    row = _found(ctx, number, reach)
    with ctx.read() as conn:
        return loan_book.views(conn, [row], ctx.today())[0]


def open_for(ctx: Context, office: str | None) -> list[LoanView]:
    """The loans an office lent or borrowed that are on their way or not yet settled (its
    pages' "Pinjaman" section)."""
    if office is None:
        return []
    with ctx.read() as conn:
        return loan_book.open_loans(conn, lambda code: code == office, ctx.today())
