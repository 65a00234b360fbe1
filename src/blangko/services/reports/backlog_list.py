"""Daftar penduduk menunggu cetak KTP-el: the print backlog as a list for call-ups and
*jemput bola* visits, by kecamatan and village, the longest waiting first, with the villages
of a coming election marked.

The same rows as the work list (`services.worklist.read_work_list`, read once in the
report's transaction): the registry's print-ready residents without an application and the
open applications, each resident once. Names and full NIKs only when ``reveal`` (the web
passes whether the caller's role may see personal data; the CLI `--show-nik`); otherwise the
NIK is masked and the name column left out. The registry carries no street address: the
village and kecamatan are where to find the resident.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from blangko.adapters.reports.model import Column, Report, Signature, Table
from blangko.domain.applications import STATUS_LABEL_ID
from blangko.domain.text import N_, Msg
from blangko.formatting import num, tanggal
from blangko.services.admin.office import read_head
from blangko.services.context import Context
from blangko.services.reports.letterhead import label, new_report
from blangko.services.worklist import (
    REGISTRY_STATUS,
    ElectionFlag,
    WorkItem,
    note_read,
    read_work_list,
)

STATUS_LABELS = {s.value: text for s, text in STATUS_LABEL_ID.items()}


def _election(flag: ElectionFlag | None) -> str:
    if flag is None:
        return ""
    return f"{flag['name']} ({tanggal(date.fromisoformat(flag['date']))})"


def _status(item: WorkItem) -> str:
    if item["status"] == REGISTRY_STATUS:
        return N_("Belum mengajukan")
    text = f"{label(STATUS_LABELS, item['status'])} · {item['receipt']}"
    return text + (N_(" · suket") if item["suket"] else "")


def _area_text(kecamatan: str | None, desa: str | None, names: dict[str, str | None]) -> str:
    if desa:
        return Msg("Desa/kelurahan {nilai} ({desa})", nilai=names.get(desa) or desa, desa=desa)
    if kecamatan:
        return Msg(
            "Kecamatan {nilai} ({kecamatan})",
            nilai=names.get(kecamatan) or kecamatan,
            kecamatan=kecamatan,
        )
    return N_("Seluruh kabupaten")


def build(
    ctx: Context,
    *,
    as_of: date | None = None,
    kecamatan: str | None = None,
    desa: str | None = None,
    election_only: bool = False,
    reveal: bool = False,
    office: str | None = None,
    address: str | None = None,
) -> Report:
    """The list for call-ups and jemput bola (see the module docstring)."""
    day = as_of or ctx.today()
    with ctx.read() as conn:
        head = read_head(conn, office, address)
        work = read_work_list(
            conn,
            head.code,
            day,
            kecamatan=kecamatan,
            desa=desa,
            election_only=election_only,
            limit=None,
            reveal=reveal,
        )
    note_read(ctx, work, reveal=reveal, kecamatan=kecamatan, desa=desa, download=True)
    names: dict[str, str | None] = {}
    for v in work["villages"]:
        names[v["kode_desa"]] = v["desa"]
        names[v["kode_kecamatan"]] = v["kecamatan"]
    prr = sum(v["registry_prr"] for v in work["villages"])
    villages = Table(
        N_("Ringkasan per desa/kelurahan"),
        [
            Column(N_("Kode"), "serial", weight=1.7),
            Column(N_("Kecamatan"), weight=1.5),
            Column(N_("Desa/kelurahan"), weight=1.8),
            Column(N_("Menunggu"), "int", total=True, weight=1.1),
            Column(N_("Belum mengajukan"), "int", total=True, weight=1.2),
            Column(N_("Permohonan berjalan"), "int", total=True, weight=1.2),
            Column(N_("Terlama sejak"), "date", weight=1.5),
            Column(N_("Pemilihan"), weight=2.2),
        ],
        [
            [
                v["kode_desa"],
                v["kecamatan"] or v["kode_kecamatan"],
                v["desa"] or v["kode_desa"],
                v["residents"],
                v["registry_prr"],
                v["applications"],
                date.fromisoformat(v["oldest"]),
                _election(v["election"]),
            ]
            for v in work["villages"]
        ],
        sheet=N_("Per desa"),
        empty_text=N_("Tidak ada penduduk yang menunggu cetak."),
    )
    name_column = [Column(N_("Nama"), weight=2)] if reveal else []
    people = Table(
        N_("Daftar penduduk menunggu cetak"),
        [
            Column(N_("No."), "int", weight=0.7),
            Column(N_("Kecamatan"), weight=1.2),
            Column(N_("Desa/kelurahan"), weight=1.5),
            *name_column,
            Column(N_("NIK"), "serial", weight=2.6),
            Column(N_("Tanggal rekam"), "date", weight=1.6),
            Column(N_("Status permohonan"), weight=2),
            Column(N_("Tanggal pemilihan"), "date", weight=1.5),
            Column(N_("Keterangan"), weight=1.2),
        ],
        [
            [
                i,
                item["kecamatan"] or item["kode_kecamatan"],
                item["desa"] or item["kode_desa"],
                *([item["nama"]] if reveal else []),
                item["nik"],
                date.fromisoformat(item["recorded_date"]) if item["recorded_date"] else None,
                _status(item),
                date.fromisoformat(item["election"]["date"]) if item["election"] else None,
                "",
            ]
            for i, item in enumerate(work["items"], start=1)
        ],
        sheet=N_("Penduduk"),
        note=N_(
            "Urut per kecamatan dan desa/kelurahan, yang terlama menunggu lebih dulu (tanggal rekam; untuk permohonan berjalan, tanggal pengajuan). Belum mengajukan: sudah direkam, belum pernah dicetak, belum ada permohonan (PRR di registri). Tanggal pemilihan: pemilihan mendatang terdekat di desa/kelurahan itu. Registri tidak memuat alamat jalan: desa/kelurahan menunjukkan tempat penduduk."
        )
        + ("" if reveal else N_(" NIK disamarkan dan nama tidak dicantumkan (data pribadi).")),
        empty_text=N_("Tidak ada penduduk yang menunggu cetak."),
    )
    filters = _area_text(work["kecamatan"], work["desa"], names)
    if election_only:
        filters += N_(", hanya desa/kelurahan dengan pemilihan mendatang")
    stem_area = (work["desa"] or work["kecamatan"] or head.code).replace(".", "")
    data: dict[str, Any] = {
        "as_of": day.isoformat(),
        "total": work["total"],
        "registry_prr": prr,
        "print_backlog": work["backlog"]["print_backlog"],
    }
    return new_report(
        head,
        name="backlog",
        title=N_("DAFTAR PENDUDUK MENUNGGU CETAK KTP-EL"),
        subtitle=Msg("Untuk pemanggilan dan jemput bola · keadaan per {day}", day=tanggal(day)),
        filename_stem=f"daftar-menunggu-cetak-{stem_area}-{day.isoformat()}",
        facts=[
            (N_("Kantor"), f"{head.name} ({head.code})"),
            (N_("Per tanggal"), day),
            (N_("Wilayah"), filters),
            (N_("Penduduk dalam daftar (jiwa)"), work["total"]),
            (N_("Belum mengajukan, PRR di registri (jiwa)"), prr),
            (N_("Dengan permohonan berjalan (jiwa)"), work["total"] - prr),
            (N_("Antrean cetak seluruh kantor (jiwa)"), work["backlog"]["print_backlog"]),
        ],
        tables=[villages, people],
        checks=[
            Msg(
                "Jumlah per desa sama dengan jumlah baris daftar: {total} jiwa, masing-masing satu kali.",
                total=num(work["total"]),
            )
        ],
        issued_on=ctx.today(),
        signatures=[Signature(N_("Petugas"), None, N_("NIP"))],
        data=data,
    )
