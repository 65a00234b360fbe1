"""Stock decisions taken on simulated demand paths: cover, stockout risk, what to request,
the stock level, whether the office is ready for an event, and the quantity a request
letter may ask for.

Also the OpenLMIS/mSupply-style figures (average monthly consumption adjusted for days the
office could not serve, months of stock) so the head of office can compare with what the
directorate is used to seeing: a comparison, never the days of cover.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from blangko.domain.errors import DomainError
from blangko.domain.text import Msg


def days_of_cover(paths: np.ndarray, on_hand: int) -> tuple[int, int, bool]:
    """Days until cumulative demand exceeds stock: (median, the figure that holds with 90 %
    probability, censored). Censored means fewer than half the paths run out within the horizon:
    the real figure is larger than the one given."""
    cum = np.cumsum(paths, axis=1)
    horizon = paths.shape[1]
    exceeded = cum > on_hand
    first = np.where(exceeded.any(axis=1), exceeded.argmax(axis=1), horizon)
    p50 = int(np.quantile(first, 0.5, method="lower"))
    p90 = int(np.quantile(first, 0.1, method="lower"))
    return p50, p90, p50 >= horizon


def lead_time_samples(mean_days: float, spread_days: float, n: int, seed: int = 1) -> np.ndarray:
    """Lead times of a request in whole days (gamma distributed: never negative, long right tail)."""
    rng = np.random.default_rng(seed)
    if spread_days <= 0:
        return np.full(n, int(round(mean_days)))
    k = (mean_days / spread_days) ** 2
    theta = spread_days**2 / mean_days
    return np.maximum(1, np.rint(rng.gamma(k, theta, size=n))).astype(int)


def demand_within(paths: np.ndarray, windows: np.ndarray) -> np.ndarray:
    """Each path's total demand over its own window length (days from today)."""
    cum = np.concatenate([np.zeros((paths.shape[0], 1)), np.cumsum(paths, axis=1)], axis=1)
    w = np.clip(windows, 0, paths.shape[1])
    return cum[np.arange(paths.shape[0]), w]


def stockout_probability(paths: np.ndarray, on_hand: int, lead_times: np.ndarray) -> float:
    return float(np.mean(demand_within(paths, lead_times) > on_hand))


@dataclass(frozen=True)
class Recommendation:
    quantity: int
    service_level: float
    window_days_p50: int
    demand_at_service_level: int


def recommend(
    paths: np.ndarray, on_hand: int, lead_times: np.ndarray, review_days: int, service_level: float
) -> Recommendation:
    """The smallest request that keeps P(stockout before the next review's delivery arrives)
    at or below 1 - service level: stock must cover the review period plus the lead time."""
    windows = lead_times + review_days
    demand = demand_within(paths, windows)
    need = int(math.ceil(float(np.quantile(demand, service_level))))
    return Recommendation(max(0, need - on_hand), service_level, int(np.median(windows)), need)


def adjusted_monthly_consumption(
    used: float, calendar_days: int, normal_open_days: int, days_unable_to_serve: int
) -> float:
    """OpenLMIS-style adjusted consumption per 30.4-day month.

    Consumption is scaled up for the normal working days on which the office could not serve
    (a closure such as PPKM, or no blanks in stock): those days had demand that was not met.
    Weekends and national holidays are not normal working days and are not adjusted for.
    """
    serving = normal_open_days - days_unable_to_serve
    if serving <= 0 or calendar_days <= 0:
        return 0.0
    return used * (normal_open_days / serving) * (30.4 / calendar_days)


def months_of_stock(on_hand: int, amc: float) -> float | None:
    return None if amc <= 0 else on_hand / amc


def stock_level(on_hand: int, cover_p90: int | None, low_days: int) -> str:
    """THE stock level: habis at 0 on hand; menipis when the days of cover that hold with
    90 % probability (the forecast's p90) are fewer than ``low_days``; aman otherwise.

    No figure for the cover (no forecast) with stock on hand is aman: nothing is known to
    be running out."""
    if on_hand <= 0:
        return "habis"
    if cover_p90 is not None and cover_p90 < low_days:
        return "menipis"
    return "aman"


def event_readiness(
    *,
    on_hand: int,
    usual_until_event: int,
    event_blanks: int,
    event_recordings: int,
    open_days: dict[str, int],
    closed_reasons: dict[str, list[str]],
) -> dict[str, object]:
    """Whether the office is ready for an event, and if not, what is missing.

    Missing is any of: a desk the event needs (perekaman when extra recordings are expected,
    pencetakan when extra blanks are) with no open day in the event's window (``open_days``
    and ``closed_reasons`` per desk); or a shortfall of blanks, the stock on
    hand against the usual use until the event (median, without any event) plus the event's
    expected extra blanks. Ready only when nothing is missing."""
    need = usual_until_event + event_blanks
    shortfall = max(0, need - on_hand)
    missing: list[dict[str, object]] = []
    for desk, wanted in (("perekaman", event_recordings), ("pencetakan", event_blanks)):
        if wanted > 0 and open_days.get(desk, 0) == 0:
            reasons = list(closed_reasons.get(desk, []))
            missing.append(
                {"kind": "desk_closed", "desk": desk, "demand": wanted, "reasons": reasons}
            )
    if shortfall:
        missing.append({"kind": "shortfall", "quantity": shortfall})
    return {
        "ready": not missing,
        "missing": missing,
        "usual_until_event": usual_until_event,
        "event_blanks": event_blanks,
        "event_recordings": event_recordings,
        "need": need,
        "on_hand": on_hand,
        "shortfall": shortfall,
    }


MAX_REQUEST = 1_000_000  # blanks in one letter: far above any office's year


def requested_quantity(asked: int | None, recommended: int, reason: str | None) -> int:
    """The quantity a request letter asks for: the head's, or the recommendation when none is
    given. The head may ask for less without a word; asking for more than recommended, or
    for anything when the recommendation is 0, needs a reason (e.g. a coming election)."""
    reason = (reason or "").strip()
    if asked is None:
        if recommended <= 0:
            raise DomainError(
                "quantity_required",
                "quantity",
                Msg(
                    "Perkiraan tidak menyarankan permintaan (0 keping): stok cukup untuk periode tinjau ditambah waktu tunggu. Bila tetap perlu meminta, isi jumlah yang dimohon beserta alasannya (mis. menjelang Pilkades)."
                ),
            )
        return recommended
    if not 1 <= asked <= MAX_REQUEST:
        raise DomainError(
            "quantity_range",
            "quantity",
            Msg(
                "Jumlah yang dimohon harus 1 sampai {max_request} keping ({asked}).",
                max_request=thousands(MAX_REQUEST),
                asked=asked,
            ),
        )
    if asked > recommended and not reason:
        raise DomainError(
            "reason_required",
            "reason",
            Msg(
                "Jumlah yang dimohon ({asked}) melebihi usulan perkiraan ({recommended} keping): isi alasannya, mis. menjelang Pilkades.",
                asked=thousands(asked),
                recommended=thousands(recommended),
            ),
        )
    return asked


def thousands(n: int) -> str:
    """1.000.000: the Indonesian thousands separator (domain imports no formatting module)."""
    return f"{n:,}".replace(",", ".")
