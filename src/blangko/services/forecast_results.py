"""What the demand forecast returns (services/forecast.py): TypedDicts, plain dicts at run
time, used as the web API's response model.

forecast.py still builds its result as an untyped dict; these shapes allow extra keys, so the
API's response validation never drops a field the forecast adds. Figures that are whole in
practice but typed float by the domain (an event's low/expected/high blanks) are `int | float`:
the response keeps them as they are instead of turning 12 into 12.0.
"""

from __future__ import annotations

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

LOOSE = ConfigDict(extra="allow")


@with_config(LOOSE)
class ForecastDay(TypedDict):
    """Blanks used on one coming day: quantiles, the median without events, open or not."""

    date: str
    p05: int
    p25: int
    p50: int
    p75: int
    p95: int
    p50_without_events: int
    open: bool


@with_config(LOOSE)
class DaysOfCover(TypedDict):
    p50: int
    p90: int
    beyond_horizon: bool


@with_config(LOOSE)
class NextDelivery(TypedDict):
    expected_date: str
    lead_time_days: int
    lead_time_p90_days: int


@with_config(LOOSE)
class Reason(TypedDict):
    """One part of the recommended request, in blanks (stock on hand negative)."""

    reason: str
    quantity: int


@with_config(LOOSE)
class RecommendedRequest(TypedDict):
    quantity: int
    service_level: float
    covers_until: str | None
    window_days: int
    demand_at_service_level: int
    reasons: list[Reason]


@with_config(LOOSE)
class BlankRange(TypedDict):
    low: int | float
    expected: int | float
    high: int | float


@with_config(LOOSE)
class ForecastEvent(TypedDict):
    name: str
    date: str
    blanks: BlankRange


@with_config(LOOSE)
class Comparison(TypedDict):
    """The OpenLMIS figure beside the model: average monthly consumption, months of stock."""

    average_monthly_consumption: float
    months_of_stock: float | None
    amc_period_days: int
    method: str


@with_config(LOOSE)
class ModelInfo(TypedDict):
    name: str
    fitted_on_days: int
    columns: list[str]
    dispersion: float
    paths: int


@with_config(LOOSE)
class CohortInfo(TypedDict):
    pemula_share: float
    past_12_months_per_month: float
    next_months_per_month: dict[str, float]


@with_config(LOOSE)
class HorizonTotal(TypedDict):
    p05: int
    p50: int
    p95: int


@with_config(LOOSE)
class ServiceForecast(TypedDict):
    horizon_total: HorizonTotal
    daily_p50: list[int]


@with_config(LOOSE)
class RecordingDay(TypedDict):
    date: str
    p05: int
    p50: int
    p95: int
    open: bool


@with_config(LOOSE)
class RecordingsForecast(TypedDict):
    fitted_on_days: int
    daily: list[RecordingDay]
    horizon_total: HorizonTotal
    warnings: list[str]


@with_config(LOOSE)
class Forecast(TypedDict):
    """Daily demand quantiles, days of cover, stock-out risk before the next delivery and the
    recommended request with its reasons; per service type and for recordings too."""

    office: str
    as_of: str
    horizon_days: int
    on_hand: int
    daily: list[ForecastDay]
    days_of_cover: DaysOfCover
    next_delivery: NextDelivery
    stockout_probability_before_next_delivery: float
    recommended_request: RecommendedRequest
    events: list[ForecastEvent]
    comparison: Comparison
    model: ModelInfo
    cohort: CohortInfo
    by_service: dict[str, ServiceForecast]
    recordings: RecordingsForecast
    warnings: list[str]
    seconds: float
