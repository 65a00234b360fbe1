"""Rekapitulasi cakupan perekaman: wajib KTP, recorded, coverage and the gap to the target,
by kecamatan and desa, by sex and by age band.

One read transaction; the counts by desa (from the counts kept per village, sex, birth year
and married or not, as the coverage page's: `areas.cells_of`) and one read of the registry's
IKD by desa: the kecamatan figures are their villages' summed (a resident's kecamatan code is
the first part of the village code), so the two levels agree by construction.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from blangko.adapters.reports.model import Column, Percent, Report, Signature, Table
from blangko.adapters.repos import coverage as cq
from blangko.domain.limits import check_date
from blangko.domain.text import N_, Msg
from blangko.formatting import num, tanggal
from blangko.services.context import Context
from blangko.services.coverage import ikd
from blangko.services.coverage.areas import cells_of, parse_target, rollup
from blangko.services.coverage.results import Figures
from blangko.services.reports.letterhead import head_signature, new_report, report_read

KECAMATAN_CODE_LENGTH = ikd.KECAMATAN_CODE_LENGTH


def _fraction(value: float | None) -> float | None:
    # The coverage figures are percents rounded once to one decimal; the sheet stores the
    # fraction 0.952.
    return None if value is None else round(value / 100, 4)


def _percent_or_dash(value: float | None) -> Percent | str:
    fraction = _fraction(value)
    return "-" if fraction is None else Percent(fraction)


def _figures(row: Figures) -> list[Any]:
    """Wajib KTP, recorded, unrecorded, coverage, gap to the target: the columns every
    table of the recap ends with."""
    return [
        row["wajib_ktp"],
        row["recorded"],
        row["unrecorded"],
        _fraction(row["coverage_pct"]),
        row["gap_to_target"],
    ]


def build(
    ctx: Context,
    *,
    as_of: date | None = None,
    target: str | None = None,
    office: str | None = None,
    address: str | None = None,
) -> Report:
    """Rekap cakupan: wajib KTP, recorded, coverage and the gap to the target, by kecamatan
    and desa, from the registry's exact counts (rolled up as the coverage service does)."""
    day = check_date(as_of or ctx.today(), "as_of")
    goal = parse_target(target)
    target_pct = float(goal)
    with report_read(ctx, office, address) as (conn, head):
        cells = cells_of(conn, office=head.code, as_of=day, by="desa")
        desa_names = cq.region_names(conn, office=head.code, by="desa")
        kecamatan_names = cq.region_names(conn, office=head.code, by="kecamatan")
        ikd_goal = ikd.target_pct(ctx)
        ikd_levels = ikd.read_coverage_levels(ctx, conn, head.code, day, ikd_goal)
        ikd_kec, ikd_desa = ikd_levels["kecamatan"], ikd_levels["desa"]
        ikd_ratio = ikd.read_ratio(ctx, conn, head.code, *ikd.year_to_date(day))
    desa = rollup(cells, desa_names, as_of=day, by="desa", target=goal, office=head.code)
    kec = rollup(
        [replace(c, area=c.area[:KECAMATAN_CODE_LENGTH]) for c in cells],
        kecamatan_names,
        as_of=day,
        by="kecamatan",
        target=goal,
        office=head.code,
    )

    area_columns = [
        Column(N_("Wajib KTP"), "int", total=True, weight=1.1),
        Column(N_("Sudah rekam"), "int", total=True, weight=1.1),
        Column(N_("Belum rekam"), "int", total=True, weight=1.1),
    ]
    kec_names = {a["code"]: a["name"] for a in kec["areas"]}
    kec_table = Table(
        N_("Cakupan per kecamatan"),
        [
            Column(N_("Kode"), "serial", weight=1.1),
            Column(N_("Kecamatan"), weight=2.2),
            *area_columns,
            Column(N_("Cakupan"), "percent", ratio=(3, 2), weight=1),
            Column(N_("Kurang ke target"), "int", weight=1.1),
        ],
        [[a["code"], a["name"], *_figures(a)] for a in kec["areas"]],
        sheet=N_("Kecamatan"),
        note=Msg(
            "Kurang ke target: penduduk yang masih harus direkam agar cakupan wilayah itu mencapai {target_pct} %. Kekurangan kabupaten ({gap_to_target}) dihitung dari jumlah kabupaten, bukan dijumlahkan dari wilayah: wilayah yang melampaui target tidak menutup kekurangan wilayah lain.",
            target_pct=num(target_pct),
            gap_to_target=num(kec["gap_to_target"]),
        ),
    )
    desa_table = Table(
        N_("Cakupan per desa/kelurahan"),
        [
            Column(N_("Kode"), "serial", weight=1.5),
            Column(N_("Kecamatan"), weight=1.7),
            Column(N_("Desa/kelurahan"), weight=2),
            *area_columns,
            Column(N_("Cakupan"), "percent", ratio=(4, 3), weight=1),
            Column(N_("Kurang ke target"), "int", weight=1.1),
        ],
        [
            [
                a["code"],
                kec_names.get(a["code"][:KECAMATAN_CODE_LENGTH], ""),
                a["name"],
                *_figures(a),
            ]
            for a in desa["areas"]
        ],
        sheet=N_("Desa"),
    )
    group_columns = [
        *area_columns,
        Column(N_("Cakupan"), "percent", ratio=(2, 1), weight=1),
        Column(N_("Kurang ke target"), "int", weight=1.1),
    ]
    sex_table = Table(
        N_("Cakupan menurut jenis kelamin"),
        [Column(N_("Jenis kelamin"), weight=2.2), *group_columns],
        [[g["label"], *_figures(g)] for g in kec["by_sex"]],
        sheet=N_("Jenis kelamin"),
    )
    band_table = Table(
        N_("Cakupan menurut kelompok umur"),
        [Column(N_("Umur (tahun)"), weight=2.2), *group_columns],
        [[g["band"], *_figures(g)] for g in kec["by_age_band"]],
        sheet=N_("Umur"),
        note=N_("<17: sudah atau pernah kawin, sehingga wajib KTP sebelum berumur 17 tahun."),
    )
    ikd_columns = [
        Column(N_("Wajib KTP"), "int", total=True, weight=1.1),
        Column(N_("Aktivasi IKD"), "int", total=True, weight=1.1),
        Column(N_("Cakupan IKD"), "percent", ratio=(3, 2), weight=1),
        Column(N_("Kurang ke target"), "int", weight=1.1),
    ]
    ikd_kec_table = Table(
        N_("Aktivasi IKD per kecamatan"),
        [
            Column(N_("Kode"), "serial", weight=1.1),
            Column(N_("Kecamatan"), weight=2.2),
            *ikd_columns,
        ],
        [
            [
                a["code"],
                a["name"],
                a["wajib_ktp"],
                a["ikd"],
                _fraction(a["coverage_pct"]),
                a["to_target"],
            ]
            for a in ikd_kec["areas"]
        ],
        sheet=N_("IKD kecamatan"),
        note=Msg(
            "Target IKD {target_pct} % dari wajib KTP: {target_source_label}.",
            target_pct=num(ikd_kec["target_pct"]),
            target_source_label=ikd_kec["target_source"],
        ),
    )
    ikd_desa_table = Table(
        N_("Aktivasi IKD per desa/kelurahan"),
        [
            Column(N_("Kode"), "serial", weight=1.5),
            Column(N_("Desa/kelurahan"), weight=2.2),
            *ikd_columns,
        ],
        [
            [
                a["code"],
                a["name"],
                a["wajib_ktp"],
                a["ikd"],
                _fraction(a["coverage_pct"]),
                a["to_target"],
            ]
            for a in ikd_desa["areas"]
        ],
        sheet=N_("IKD desa"),
    )
    ratio_text = (
        "-"
        if ikd_ratio["ratio_pct"] is None
        else Msg(
            "{ratio} % (memenuhi batas {rule} %)",
            ratio=num(ikd_ratio["ratio_pct"]),
            rule=num(ikd_ratio["rule_pct"]),
        )
        if ikd_ratio["met"]
        else Msg(
            "{ratio} % (belum memenuhi batas {rule} %)",
            ratio=num(ikd_ratio["ratio_pct"]),
            rule=num(ikd_ratio["rule_pct"]),
        )
    )
    return new_report(
        head,
        name="coverage",
        title=N_("REKAPITULASI CAKUPAN PEREKAMAN KTP-EL"),
        subtitle=Msg("Keadaan per {day}", day=tanggal(day)),
        filename_stem=f"rekap-cakupan-{day.isoformat()}",
        facts=[
            (N_("Kantor"), f"{head.name} ({head.code})"),
            (N_("Per tanggal"), day),
            (N_("Wajib KTP (jiwa)"), kec["wajib_ktp"]),
            (N_("Sudah rekam (jiwa)"), kec["recorded"]),
            (N_("Belum rekam (jiwa)"), kec["unrecorded"]),
            # No wajib KTP, no coverage: "-" as on every other surface, never 0 %.
            (N_("Cakupan"), _percent_or_dash(kec["coverage_pct"])),
            (N_("Target"), Percent(_fraction(target_pct) or 0)),
            (N_("Kurang ke target (jiwa)"), kec["gap_to_target"]),
            (N_("Aktivasi IKD (jiwa wajib KTP)"), ikd_kec["ikd"]),
            (N_("Cakupan IKD"), _percent_or_dash(ikd_kec["coverage_pct"])),
            (N_("Target IKD"), Percent(_fraction(ikd_kec["target_pct"]) or 0)),
            (N_("Kurang ke target IKD (jiwa)"), ikd_kec["to_target"]),
            (
                Msg(
                    "Aktivasi IKD : blangko diterima {first} s.d. {last}",
                    first=tanggal(date.fromisoformat(ikd_ratio["first"])),
                    last=tanggal(day),
                ),
                Msg(
                    "{activations} : {blanks} = {ratio}",
                    activations=num(ikd_ratio["activations"]),
                    blanks=num(ikd_ratio["blanks_received"]),
                    ratio=ratio_text,
                ),
            ),
        ],
        tables=[kec_table, desa_table, sex_table, band_table, ikd_kec_table, ikd_desa_table],
        checks=[
            Msg(
                "Jumlah wajib KTP per kecamatan, per desa, per jenis kelamin dan per kelompok umur sama: {wajib_ktp} jiwa; sudah rekam {recorded} jiwa.",
                wajib_ktp=num(kec["wajib_ktp"]),
                recorded=num(kec["recorded"]),
            )
        ],
        issued_on=ctx.today(),
        signatures=[
            Signature(N_("Kepala Bidang Pendaftaran Penduduk"), None, N_("NIP")),
            head_signature(head, caption=N_("Mengetahui,")),
        ],
        data={
            "as_of": day.isoformat(),
            "kecamatan": kec,
            "desa": desa,
            "ikd": ikd_kec,
            "ikd_desa": ikd_desa,
            "ikd_ratio": ikd_ratio,
        },
    )
