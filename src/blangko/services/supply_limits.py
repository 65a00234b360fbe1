"""What stops printing first, for the next 120 days (docs/forecast.md, "Yang menghentikan
cetak lebih dulu"): the forecast's own demand paths (services.forecast.forecast_with_paths)
against the blanks on hand, the ribbons and films (in store and loaded, in prints), and the
printers' capacity while a printer is down (domain.supply_limits)."""

from __future__ import annotations

from datetime import date, timedelta

from blangko.adapters.repos import items as items_repo
from blangko.domain import supply_limits as sl
from blangko.domain.items import DEFAULT_ITEM, DEFAULT_ITEM_NAME, DOWN_STATES, ROLES
from blangko.domain.text import Msg
from blangko.services.context import Context, resolve_office
from blangko.services.forecast import DEFAULT_HORIZON, forecast_with_paths
from blangko.services.items.queries import load_views, tally
from blangko.services.items.results import LimitView, SupplyLimitsResult


def supply_limits(
    ctx: Context,
    *,
    as_of: date | None = None,
    office: str | None = None,
    horizon: int = DEFAULT_HORIZON,
) -> SupplyLimitsResult:
    """Each constraint's stop date and the quantity to request, the binding one first."""
    fc, paths = forecast_with_paths(ctx, as_of=as_of, office=office, horizon=horizon)
    code = fc["office"]
    day0 = date.fromisoformat(fc["as_of"])
    s = ctx.settings.forecast
    stocks = [
        sl.Stock(
            sl.BLANKS,
            DEFAULT_ITEM,
            DEFAULT_ITEM_NAME,
            int(fc["on_hand"]),
            1,
            int(round(s.lead_time_days)),
            sl.ROUTE_DIRECTORATE,
        )
    ]
    units = {DEFAULT_ITEM: "keping"}
    notes: list[str] = []
    down: list[str] = []
    with ctx.read() as conn:
        resolve_office(conn, code)
        items = items_repo.items(conn, code)
        loads = [v for v in load_views(conn, code) if v["removed"] is None]
        for role in ROLES[:2]:
            of_role = [i for i in items if i.role == role]
            if not of_role:
                notes.append(
                    Msg(
                        "Belum ada barang berperan {role} di kantor ini: tidak dihitung sebagai batas.",
                        role=role,
                    )
                )
                continue
            first = of_role[0]
            prints_left = 0
            for it in of_role:
                lot_yield = {
                    lot.lot: lot.yield_prints for lot in items_repo.lots(conn, code, it.code)
                }
                for lot_no, n in tally(conn, code, it.code, day0).by_lot.items():
                    prints_left += n * int(lot_yield.get(lot_no) or it.yield_prints or 0)
                prints_left += sum(
                    max(0, v["yield_prints"] - v["prints"]) for v in loads if v["item"] == it.code
                )
            units[first.code] = first.unit
            stocks.append(
                sl.Stock(
                    role,
                    first.code,
                    first.name,
                    prints_left,
                    int(first.yield_prints or 1),
                    int(first.lead_time_days or 60),
                    sl.ROUTE_REGENCY,
                )
            )
        plans: list[sl.PrinterPlan] | None = None
        printers = items_repo.printers(conn, code)
        if printers:
            plans = []
            for p in printers:
                current = None
                for st in items_repo.states(conn, code, p.id):
                    if st.since <= day0:
                        current = st
                if current is not None and current.state in DOWN_STATES:
                    down.append(p.name)
                    back = (
                        (current.expected_back - day0).days
                        if current.expected_back is not None and current.state != "replaced"
                        else None
                    )
                    plans.append(sl.PrinterPlan(p.name, int(p.capacity), 0, back))
                else:
                    plans.append(sl.PrinterPlan(p.name, int(p.capacity)))
        else:
            notes.append(
                Msg("Belum ada printer tercatat: kapasitas cetak tidak dihitung sebagai batas.")
            )
    result = sl.supply_limits(paths, stocks, plans, service_level=s.service_level)

    def on(day: int | None, beyond: bool = False) -> str | None:
        if day is None or beyond or day >= result.horizon:
            return None
        return (day0 + timedelta(days=day)).isoformat()

    views: list[LimitView] = [
        {
            "constraint": lim.code,
            "item": lim.item,
            "name": lim.name,
            "stops_on": on(lim.stop_day_p50, lim.beyond_horizon),
            "stops_on_p90": on(lim.stop_day_p90),
            "beyond_horizon": lim.beyond_horizon,
            "request_units": lim.request_units,
            "unit": units.get(lim.item or "", ""),
            "route": lim.route,
            "lead_time_days": lim.lead_time_days,
            "request_by": on(lim.request_by_day),
        }
        for lim in result.limits
    ]
    return {
        "office": code,
        "as_of": day0.isoformat(),
        "horizon_days": result.horizon,
        "binding": views[0],
        "limits": views,
        "printers_down": down,
        "notes": notes,
    }
