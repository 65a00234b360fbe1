"""`blangko loan ...`: loans of blanks between offices, arranged by the province or the
directorate, sent by the lender, returned by the borrower or written off by the directorate
(docs/network.md, "Loans"). The command line acts as the directorate (it sees everything)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from blangko.cli import state
from blangko.cli.options import (
    DateOpt,
    DocumentOpt,
    JsonOpt,
    KeyOpt,
    LocationOpt,
    NoteOpt,
    OfficeOpt,
    QtyOpt,
    SerialsOpt,
)
from blangko.cli.output import (
    console,
    key_column,
    make_table,
    print_json,
    print_table,
    replayed,
    tr,
)
from blangko.cli.steps import run_step, shipping
from blangko.domain.text import Msg
from blangko.formatting import num, parse_date, short_date
from blangko.services.network import loans
from blangko.services.network.results import LoanView, LoanWritten

loan_app = typer.Typer(
    help="Pinjaman blangko antarkantor: diatur, dikirim, dikembalikan atau dihapusbukukan.",
    no_args_is_help=True,
)

LOAN_STATUS_LABELS = {
    "arranged": "diatur",
    "sent": "dikirim",
    "open": "terbuka",
    "settled": "lunas",
    "written_off": "dihapusbukukan",
}
LOAN_STEP_LABELS = {
    "arranged": "diatur",
    "sent": "dikirim",
    "received": "diterima peminjam",
    "return_sent": "dikembalikan (dikirim)",
    "returned": "pengembalian diterima",
    "settled": "lunas",
    "written_off": "dihapusbukukan",
}

LoanArg = Annotated[int, typer.Argument(help="Nomor pinjaman.", metavar="LOAN")]


def print_loan(v: LoanView, *, timeline: bool = False) -> None:
    console.print(
        tr(
            Msg(
                (
                    "Pinjaman #{id}: {lender} -> {borrower}, {quantity} keping, kembali "
                    "{due}; {status_label}. Dipinjam {lent}, kembali {returned}, dalam "
                    "perjalanan kembali {returning}, dihapusbukukan {written_off}, sisa "
                    "{outstanding}."
                ),
                id=v["id"],
                lender=v["lender"],
                borrower=v["borrower"],
                quantity=num(v["quantity"]),
                due=short_date(v["due_date"]),
                status_label=LOAN_STATUS_LABELS[v["status"]],
                lent=num(v["lent"]),
                returned=num(v["returned"]),
                returning=num(v["returning"]),
                written_off=num(v["written_off"]),
                outstanding=num(v["outstanding"]),
            )
        ),
        highlight=False,
    )
    console.print(f"  {escape(v['reason'])}", highlight=False)
    if not timeline:
        return
    for e in v["events"]:
        where = f" #{e['shipment']}" if e["shipment"] else ""
        qty = f" {num(e['quantity'])}" if e["quantity"] is not None else ""
        comment = f": {escape(e['comment'])}" if e["comment"] else ""
        console.print(
            f"  {short_date(e['at'][:10])} {escape(e['actor'])} "
            f"{tr(LOAN_STEP_LABELS[e['step']])}{qty}{where}{comment}",
            highlight=False,
        )


def _written(r: LoanWritten, as_json: bool) -> None:
    if as_json:
        print_json(r)
        return
    print_loan(r["loan"])
    if r["shipment"] is not None:
        console.print(
            tr(
                Msg(
                    "  Kiriman #{id}: {quantity} keping ({serials}) dalam perjalanan.",
                    id=r["shipment"]["id"],
                    quantity=num(r["shipment"]["quantity"]),
                    serials=escape(r["shipment"]["serials"]),
                )
            ),
            highlight=False,
        )
    console.print(
        tr(Msg("Dicatat di buku {office}{value}.", office=r["office"], value=replayed(r))),
        highlight=False,
    )


@loan_app.command("arrange")
def loan_arrange(
    lender: Annotated[str, typer.Option("--lender", help="Kantor pemberi pinjaman (surplus).")],
    borrower: Annotated[str, typer.Option("--borrower", help="Kantor peminjam (berisiko habis).")],
    quantity: Annotated[int, typer.Option("--quantity", help="Jumlah keping yang dipinjamkan.")],
    reason: Annotated[str, typer.Option("--reason", help="Alasan pinjaman.")],
    due: Annotated[str, typer.Option("--due", help="Tanggal kembali (YYYY-MM-DD).")],
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Atur pinjaman dari kantor yang surplus ke kantor yang berisiko kehabisan."""
    run_step(
        loans.arrange,
        _written,
        as_json,
        lender=lender,
        borrower=borrower,
        quantity=quantity,
        reason=reason,
        due=parse_date(due, "due"),
        idempotency_key=idempotency_key,
    )


@loan_app.command("send")
def loan_send(
    loan: LoanArg,
    document: DocumentOpt,
    serials: SerialsOpt = None,
    qty: QtyOpt = None,
    location: LocationOpt = None,
    date: DateOpt = None,
    note: NoteOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Kirim pinjaman (kantor pemberi): kiriman ke peminjam yang ditandai pinjaman ini."""
    run_step(
        loans.send,
        _written,
        as_json,
        loan=loan,
        **shipping(document, serials, qty, location, date, note),
        office=office,
        idempotency_key=idempotency_key,
    )


@loan_app.command("return")
def loan_return(
    loan: LoanArg,
    document: DocumentOpt,
    serials: SerialsOpt = None,
    qty: QtyOpt = None,
    location: LocationOpt = None,
    date: DateOpt = None,
    note: NoteOpt = None,
    office: OfficeOpt = None,
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Kembalikan (sebagian) pinjaman (kantor peminjam): kiriman ke kantor pemberi."""
    run_step(
        loans.return_loan,
        _written,
        as_json,
        loan=loan,
        **shipping(document, serials, qty, location, date, note),
        office=office,
        idempotency_key=idempotency_key,
    )


@loan_app.command("write-off")
def loan_write_off(
    loan: LoanArg,
    reason: Annotated[str, typer.Option("--reason", help="Alasan penghapusbukuan.")],
    idempotency_key: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Hapusbukukan sisa pinjaman terbuka (direktorat), dengan alasan."""
    run_step(
        loans.write_off,
        _written,
        as_json,
        loan=loan,
        reason=reason,
        idempotency_key=idempotency_key,
    )


@loan_app.command("list")
def loan_list(
    office: Annotated[
        str | None, typer.Option("--office", help="Hanya pinjaman dari atau ke kantor ini.")
    ] = None,
    status: Annotated[
        str | None,
        typer.Option("--status", help="arranged, sent, open, settled atau written_off."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Daftar pinjaman, terbaru di atas."""
    rows = loans.list_loans(state.context(), office=office, status=status)
    if as_json:
        print_json(rows)
        return
    table = make_table(
        key_column(tr("No"), justify="right"),
        tr("Dari"),
        tr("Ke"),
        key_column(tr("Keping"), justify="right"),
        key_column(tr("Sisa"), justify="right"),
        tr("Kembali"),
        tr("Status"),
    )
    for v in rows:
        table.add_row(
            str(v["id"]),
            v["lender"],
            v["borrower"],
            num(v["quantity"]),
            num(v["outstanding"]),
            short_date(v["due_date"]),
            tr(LOAN_STATUS_LABELS[v["status"]]),
        )
    print_table(table)


@loan_app.command("show")
def loan_show(loan: LoanArg, as_json: JsonOpt = False) -> None:
    """Satu pinjaman: jumlah, kiriman, pengembalian dan riwayatnya."""
    v = loans.show(state.context(), loan=loan)
    if as_json:
        print_json(v)
    else:
        print_loan(v, timeline=True)
