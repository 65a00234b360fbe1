"""How old an office's registry is: the one answer the pages, the CLI and the forecast show
(see imports.py, "Refresh")."""

from __future__ import annotations

from datetime import date, timedelta

from blangko.adapters.repos import registry as repo
from blangko.domain.errors import DomainError
from blangko.domain.text import Msg
from blangko.formatting import num, tanggal
from blangko.services.context import Context, resolve_office
from blangko.services.registry.imports import import_record_of
from blangko.services.registry.results import (
    ImportHistory,
    RegistryAge,
)

# --- how old the registry is ----------------------------------------------------------------


def registry_age(ctx: Context, *, office: str | None = None, on: date | None = None) -> RegistryAge:
    """THE age of the office's registry, as every surface shows it (the coverage, service and
    work-list pages, the dashboard, `blangko residents status`, the forecast's warning): the
    office's date of its last import recorded up to ``on`` (default today) that wrote any
    resident (a file whose every row was rejected refreshes nothing), the days since, and
    ``stale`` when that is more than settings.registry_stale_days or no import is recorded
    (imports before migration 0011 were not)."""
    day = on or ctx.today()
    with ctx.read() as conn:
        code = resolve_office(conn, office)
        row = repo.last_import(conn, code, before=ctx.day_start(day + timedelta(days=1)))
    limit = ctx.settings.registry_stale_days
    if row is None:
        return {
            "office": code,
            "last_import": None,
            "file_name": None,
            "age_days": None,
            "stale_after_days": limit,
            "stale": True,
            "message": Msg(
                "Belum ada impor registri yang tercatat untuk kantor ini: impor ekspor SIAK terbaru agar antrean cetak dan cakupan mengikuti registri pusat."
            ),
        }
    last = ctx.local_date(row.imported_at)
    age = (day - last).days
    stale = age > limit
    when = Msg("hari ini") if age == 0 else Msg("{age} hari lalu", age=num(age))
    message = Msg(
        "Registri terakhir diimpor {last} ({when}, berkas {file_name}).",
        last=tanggal(last),
        when=when,
        file_name=row.file_name,
    )
    if stale:
        message = Msg(
            "Registri terakhir diimpor {last} ({when}), lebih dari {limit} hari: antrean cetak dan cakupan mungkin tidak lagi sesuai registri pusat; impor ekspor SIAK terbaru.",
            last=tanggal(last),
            when=when,
            limit=num(limit),
        )
    return {
        "office": code,
        "last_import": last,
        "file_name": row.file_name,
        "age_days": age,
        "stale_after_days": limit,
        "stale": stale,
        "message": message,
    }


def import_history(ctx: Context, *, office: str | None = None, limit: int = 10) -> ImportHistory:
    """`registry_age` and the office's last ``limit`` imports, the latest first."""
    if not 1 <= limit <= 1000:
        raise DomainError(
            "limit", "limit", Msg("Jumlah impor yang ditampilkan harus 1 sampai 1.000")
        )
    age = registry_age(ctx, office=office)
    with ctx.read() as conn:
        rows = repo.imports(conn, age["office"], limit)
    return {"age": age, "imports": [import_record_of(ctx, r._mapping) for r in rows]}
