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
    lead_time_source: str  # office | province (the request history) | default (settings)


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
    fill_rate: float  # what the directorate usually gives of what is asked (1: in full)
    expected_given: int  # the quantity times the fill rate
    basis: list[str]  # where the lead time and the fill rate come from


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
    young_share: float  # of the last year's recordings, residents now under 19
    applies_to: str  # recordings (with a registry) | use (without)
    past_12_months_per_month: float
    next_months_per_month: dict[str, float]


@with_config(LOOSE)
class DemandPart(TypedDict):
    """One part of the horizon's demand: expected blanks, the 90 % range, and its reason's
    quantity in the request (None when it has no reason)."""

    part: str  # replacements_other | backlog | new_recordings | events | queue
    label: str
    expected: float
    p05: int
    p95: int
    in_request: int | None


@with_config(LOOSE)
class RateRange(TypedDict):
    rate: float
    p05: float
    p95: float


@with_config(LOOSE)
class TakeUpBand(TypedDict):
    """The chance per open printing day that a resident waiting this long comes to print."""

    days_since_recording: str
    from_days: int
    to_days: int | None
    rate: float
    p05: float
    p95: float
    prints: int
    exposure: int


@with_config(LOOSE)
class TakeUpInfo(TypedDict):
    per: str
    window: dict[str, str] | None
    open_days: int
    pooled_rate: float
    bands: list[TakeUpBand]
    backlog_rate: RateRange


@with_config(LOOSE)
class PartsBacklog(TypedDict):
    registry_prr: int
    queue: int
    to_record: int
    registry_prr_by_days_waited: dict[str, int]
    drawn_by_events: float
    event_prr_share: dict[str, float]


@with_config(LOOSE)
class FirstCards(TypedDict):
    expected: float
    p05: int
    p95: int


@with_config(LOOSE)
class PartsHistory(TypedDict):
    """The history the other use was fitted on: blanks used, first cards by the ledger and
    by the registry, the first cards taken out, and what is left."""

    days: int
    used: int
    first_cards_ledger: int
    first_cards_registry: int
    first_cards_taken_out: float
    other_use: float


@with_config(LOOSE)
class DemandParts(TypedDict):
    """The forecast's demand by part: the registry's PRR backlog coming in, new recordings,
    replacements and other use, events, the print queue; their expectations add up to the
    forecast's (``expected_total``)."""

    horizon_days: int
    window_days: int
    parts: list[DemandPart]
    expected_total: float
    first_cards: FirstCards
    backlog: PartsBacklog
    take_up: TakeUpInfo
    history: PartsHistory


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


class RationingPolicyEffect(TypedDict):
    """The policy measured: in force, coming, or the forecast's suggestion (source)."""

    source: str
    number: int | None
    start: str
    end: str
    daily_cap: int
    classes: list[str]
    others_get: str
    days_of_cover: dict[str, dict[str, int | bool] | int]
    waits: list[dict[str, str | float | None]]


class RationingEffect(TypedDict):
    """Whether the forecast suggests rationing (P(stockout before the next delivery) above
    the threshold and no policy in force), and what the policy measured does."""

    suggest: bool
    threshold: float
    stockout_probability: float
    policy: RationingPolicyEffect | None


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
    rationing: RationingEffect
    recommended_request: RecommendedRequest
    demand_parts: DemandParts
    events: list[ForecastEvent]
    comparison: Comparison
    model: ModelInfo
    cohort: CohortInfo
    by_service: dict[str, ServiceForecast]
    recordings: RecordingsForecast
    warnings: list[str]
    seconds: float
