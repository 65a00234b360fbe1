"""Official reports: monthly usage, count record (berita acara stock opname), receipt
handover (berita acara serah terima), destruction (berita acara pemusnahan), coverage recap,
the request letter (surat permohonan blangko) and the list of residents waiting for their
card (daftar menunggu cetak, for call-ups and jemput bola).

One module per report, each with `build(ctx, ...) -> Report`; the shared letterhead in
`letterhead`. Each report reads once: one read transaction (the usage report also bounds its
ledger reads by the last entry seen at its start), never several reads that must then agree.
This module is the registry: `build` a report by name, or `render` it to file bytes for the
CLI and the web downloads. A new report is one module plus one line in REPORTS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from blangko.adapters.reports import MIMETYPES, Report, render_bytes
from blangko.domain.errors import DomainError, NotFound
from blangko.domain.text import Msg
from blangko.services.context import Context
from blangko.services.reports import (
    backlog_list,
    count_record,
    coverage_recap,
    destruction,
    handed_in,
    item_usage,
    purchase_request,
    receipt,
    request_letter,
    usage,
)


@dataclass(frozen=True)
class ReportSpec:
    build: Callable[..., Report]
    params: tuple[str, ...]  # the parameters it needs besides office and address
    optional: tuple[str, ...] = ()


REPORTS: dict[str, ReportSpec] = {
    "usage": ReportSpec(usage.build, ("month",)),
    "count": ReportSpec(count_record.build, ("count_id",)),
    "receipt": ReportSpec(receipt.build, ("seq",)),
    "destruction": ReportSpec(destruction.build, ("month",)),
    "coverage": ReportSpec(coverage_recap.build, (), ("as_of", "target")),
    "request": ReportSpec(request_letter.build, (), ("as_of", "quantity", "reason", "request_id")),
    # Nota dinas for ribbons and films to the regency's budget office (issue 15).
    "purchase": ReportSpec(purchase_request.build, (), ("as_of",)),
    # The usage report and count record of a quantity item, per lot (`--item`).
    "item_usage": ReportSpec(item_usage.build_usage, ("month", "item")),
    "item_count": ReportSpec(item_usage.build_count, ("item",), ("as_of",)),
    "handed_in_destruction": ReportSpec(
        handed_in.build_destruction, ("destruction_id",), ("reveal",)
    ),
    "handed_in_recap": ReportSpec(handed_in.build_recap, ("month",)),
    "backlog": ReportSpec(
        backlog_list.build, (), ("as_of", "kecamatan", "desa", "election_only", "reveal")
    ),
}


def build(ctx: Context, report_name: str, params: dict[str, Any]) -> Report:
    """The named report, from its parameters (and optionally office and address)."""
    spec = REPORTS.get(report_name)
    if spec is None:
        raise NotFound(
            "unknown_report",
            "report",
            Msg(
                "Laporan '{report_name}' tidak dikenal: pilih {reports}.",
                report_name=report_name,
                reports=", ".join(REPORTS),
            ),
        )
    missing = [p for p in spec.params if params.get(p) in (None, "")]
    if missing:
        raise DomainError(
            "required", missing[0], Msg("Parameter '{missing}' wajib diisi.", missing=missing[0])
        )
    wanted = (*spec.params, *spec.optional, "office", "address")
    kwargs = {k: v for k, v in params.items() if k in wanted}
    return spec.build(ctx, **kwargs)


def render(
    ctx: Context, report_name: str, params: dict[str, Any], fmt: str, lang: str = "id"
) -> tuple[bytes, str, str]:
    """A named report as file bytes: (content, file name, MIME type), in `lang` (id or en).

    params: the report's own (month / count_id / seq / as_of, target), optionally office and
    address.
    """
    if fmt not in MIMETYPES:
        raise DomainError(
            "report_format",
            "format",
            Msg("Format '{fmt}' tidak dikenal: pilih xlsx atau pdf.", fmt=fmt),
        )
    report = build(ctx, report_name, params)
    return render_bytes(report, fmt, lang), f"{report.filename_stem}.{fmt}", MIMETYPES[fmt]


__all__ = [
    "MIMETYPES",
    "REPORTS",
    "Report",
    "ReportSpec",
    "backlog_list",
    "build",
    "count_record",
    "coverage_recap",
    "destruction",
    "handed_in",
    "purchase_request",
    "receipt",
    "render",
    "request_letter",
    "usage",
]
