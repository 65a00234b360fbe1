"""The demo's old cards and IKD: the cards residents handed in on their own (moved, invalid)
beside those the collections of replacements took in (demo.applications collects rusak and
perubahan data applications: services.applications.collect records each old card), one
destruction a month ago of every card held then, with its two witnesses, and the cards since
still awaiting destruction. IKD: a share of the recorded residents activated it over the last
three years, dated in the registry (the export's optional tanggal_ikd column), beside the IKD
marks of the demo's applications."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
from sqlalchemy import bindparam, select, update

from blangko.adapters.tables_residents import resident
from blangko.demo.actors import OPERATOR_USER, STOCK_KEEPER, acting
from blangko.services import handed_in
from blangko.services.context import Context

# Recorded residents who activated IKD (drawn with a fixed seed): 6 in 100, over the last three years; below the 30 % target and, over this year, below the
# 50 % of the blanks received (the demo shows both warnings).
IKD_PER_HUNDRED = 6
IKD_DAYS = 1100
HANDED_IN_ALONE = 14  # cards handed in on their own over the last two months
DESTROYED_DAYS_AGO = 30
WITNESSES = ["Rahmat Hidayat (Inspektorat Kabupaten Kaur)", "Sri Wahyuni (Satpol PP Kaur)"]
PLACE = "Halaman belakang kantor Dinas Dukcapil Kabupaten Kaur, Bintuhan"


def add_ikd_dates(ctx: Context, office: str, seed: int = 16) -> int:
    """Date the IKD activation of IKD_PER_HUNDRED in 100 recorded residents; returns how many."""
    today = ctx.today()
    r = resident.c
    with ctx.read() as conn:
        niks = list(
            conn.execute(
                select(r.nik, r.tanggal_rekam)
                .where(r.office_code == office, r.tanggal_rekam.is_not(None))
                .order_by(r.nik)
            )
        )
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    for nik, recorded in niks:
        if rng.random() * 100 >= IKD_PER_HUNDRED:
            continue
        day = today - timedelta(days=int(rng.integers(0, IKD_DAYS)))
        rows.append({"k": nik, "d": max(day, recorded)})
    if rows:
        with ctx.write_plain() as conn:
            conn.execute(
                update(resident).where(r.nik == bindparam("k")).values(tanggal_ikd=bindparam("d")),
                rows,
            )
    return len(rows)


def add_old_cards(ctx: Context, office: str, seed: int = 16) -> dict[str, Any]:
    """Cards handed in on their own over the last two months, the destruction a month ago of
    every card held then, and the cards held now."""
    today = ctx.today()
    r = resident.c
    with ctx.read() as conn:
        owners = list(
            conn.execute(
                select(r.nik)
                .where(r.office_code == office, r.tanggal_cetak.is_not(None))
                .order_by(r.nik)
                .limit(HANDED_IN_ALONE)
            ).scalars()
        )
    rng = np.random.default_rng(seed)
    counter = acting(ctx, OPERATOR_USER)
    days = sorted(int(d) for d in rng.integers(1, 60, size=len(owners)))[::-1]
    for k, (nik, back) in enumerate(zip(owners, days, strict=True)):
        handed_in.receive_card(
            counter,
            nik=nik,
            reason=("pindah", "tidak_berlaku", "pindah", "rusak")[k % 4],
            received_on=today - timedelta(days=back),
            # Half the old cards are too worn to read the serial.
            card_serial=f"KR00{int(rng.integers(10_000, 90_000)):05d}" if k % 2 else None,
            office=office,
        )
    burnt = handed_in.destroy_cards(
        acting(ctx, STOCK_KEEPER),
        all_held=True,
        witnesses=WITNESSES,
        place=PLACE,
        method="bakar",
        destroyed_on=today - timedelta(days=DESTROYED_DAYS_AGO),
        note="Pemusnahan bulanan",
        office=office,
    )
    return {"destruction": burnt["destruction"], "totals": handed_in.totals(ctx, office=office)}
