"""Settings from the environment (BLANGKO_*) and the command line; nothing is read at import.

One `Settings` holds everything; the forecast, the coverage projection and event impact have
nested groups whose variables keep their own prefix: BLANGKO_FORECAST_LEAD_TIME_DAYS is
`Settings().forecast.lead_time_days`, BLANGKO_PROJECTION_PATHS `.projection.paths`,
BLANGKO_EVENT_TAKE_UP_LOW `.event.take_up_low`. Services read them from `ctx.settings`.
"""

from __future__ import annotations

import getpass
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from blangko.domain.errors import DomainError
from blangko.domain.text import Msg

DEFAULT_SQLITE_FILE = "blangko.db"
DEFAULT_SECRET_KEY = "blangko-demo-secret-change-me"


class ForecastSettings(BaseModel):
    """Stock-policy settings of the demand forecast (BLANGKO_FORECAST_*)."""

    lead_time_days: float = 30.0  # from request letter to blanks on the shelf
    lead_time_spread_days: float = 10.0  # standard deviation of that lead time
    service_level: float = 0.95  # P(no stockout before the next delivery)
    review_days: int = 30  # how often the office reviews stock and may request again
    paths: int = 2000
    seed: int = 17
    # The forecast suggests rationing when P(stockout before the next delivery) is above this
    # (docs/forecast.md, "Penjatahan"): at 0,3 the office is more likely than 1 in 3 to run
    # dry before the blanks it asks for can arrive.
    rationing_suggest_above: float = 0.3

    def check(self) -> ForecastSettings:
        if not 0.5 <= self.service_level < 1:
            raise DomainError(
                "setting_range",
                "service_level",
                Msg("Tingkat layanan harus antara 0,5 dan 1 (mis. 0,95)."),
            )
        if self.lead_time_days <= 0 or self.lead_time_spread_days < 0:
            raise DomainError("setting_range", "lead_time_days", Msg("Waktu tunggu harus positif."))
        if not 0 <= self.rationing_suggest_above <= 1:
            raise DomainError(
                "setting_range",
                "rationing_suggest_above",
                Msg("Ambang saran penjatahan harus antara 0 dan 1 (mis. 0,3)."),
            )
        if self.review_days < 1 or self.paths < 100:
            raise DomainError(
                "setting_range",
                "review_days",
                Msg("Periode tinjau minimal 1 hari dan jalur simulasi minimal 100."),
            )
        return self


class ProjectionSettings(BaseModel):
    """The coverage projection's assumptions (BLANGKO_PROJECTION_*)."""

    assumed_closure_days: int = 30  # an open-ended closure is assumed to last this long
    history_days: int = 90  # the recent recording pace is taken over these days
    door_to_door_per_day: int = 60  # recordings per door-to-door (jemput bola) team-day
    paths: int = 1000
    seed: int = 11


class ImpactAssumptions(BaseModel):
    """The assumptions behind an event's expected extra demand (BLANGKO_EVENT_*; the reasons
    for the defaults are in services/calendar/events.py)."""

    take_up_low: Decimal = Field(default=Decimal("0.25"))
    take_up_expected: Decimal = Field(default=Decimal("0.50"))
    take_up_high: Decimal = Field(default=Decimal("0.80"))
    window_days: int = 30  # the extra demand is spread over the open days of this window

    def with_overrides(self, **values: Any) -> ImpactAssumptions:
        """These assumptions with the values given (None: keep this one), validated."""
        given = {k: v for k, v in values.items() if v is not None}
        return ImpactAssumptions.model_validate({**self.model_dump(), **given})

    def check(self) -> ImpactAssumptions:
        for name in ("take_up_low", "take_up_expected", "take_up_high"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise DomainError(
                    "assumption_range",
                    name,
                    Msg("{name} harus antara 0 dan 1 ({value}).", name=name, value=value),
                )
        if not self.take_up_low <= self.take_up_expected <= self.take_up_high:
            raise DomainError(
                "assumption_order",
                "take_up_expected",
                Msg(
                    "Tingkat partisipasi harus rendah <= perkiraan <= tinggi ({take_up_low} / {take_up_expected} / {take_up_high}).",
                    take_up_low=self.take_up_low,
                    take_up_expected=self.take_up_expected,
                    take_up_high=self.take_up_high,
                ),
            )
        if self.window_days < 1:
            raise DomainError(
                "assumption_range",
                "window_days",
                Msg("window_days minimal 1 ({window_days}).", window_days=self.window_days),
            )
        return self

    def as_dict(self) -> dict[str, Any]:
        return {
            "take_up": {
                "low": float(self.take_up_low),
                "expected": float(self.take_up_expected),
                "high": float(self.take_up_high),
            },
            "window_days": self.window_days,
        }


class Settings(BaseSettings):
    # "_" splits a variable once after the prefix, and only for the nested groups below:
    # BLANGKO_FORECAST_PATHS -> forecast.paths; BLANGKO_STOCK_LOW_DAYS stays stock_low_days.
    model_config = SettingsConfigDict(
        env_prefix="BLANGKO_",
        extra="ignore",
        env_nested_delimiter="_",
        env_nested_max_split=1,
    )

    database_url: str = ""
    actor: str = ""
    locale: str = "id"
    # The office's own time zone decides what "today" is (WIB, WITA or WIT).
    timezone: str = "Asia/Jakarta"
    # The stock level (status, dashboard, public status page): "menipis" when the forecast's
    # days of cover at 90 % confidence is below this (0 blanks on hand is always "habis").
    stock_low_days: int = 14
    # The registry is "old" (a warning on the coverage, service and work-list pages, the
    # dashboard, `blangko residents status` and the forecast) when its last import is more
    # than this many days ago: one review period of the forecast (forecast.review_days),
    # so that each blank request is computed on a registry of its own period (docs/service.md).
    registry_stale_days: int = 30
    # Signs session cookies and API tokens. The default is public (it is in the source), so
    # `blangko serve` refuses it unless this is the demo (see web.app.check_secret).
    secret_key: str = DEFAULT_SECRET_KEY
    # Signs the ledger's anchors (docs/security.md, "The ledger anchor"); never stored in the
    # database. Empty: the secret key signs them. The previous key still verifies the anchors
    # it signed, for a change of key (BLANGKO_ANCHOR_KEY_PREVIOUS).
    anchor_key: str = ""
    anchor_key_previous: str = ""
    demo: bool = False
    # Public status look-ups by receipt number allowed per client address and minute (per
    # server process: docs/security.md, "Receipt numbers and the public look-up").
    public_lookups_per_minute: int = 20
    # The letterhead's address line for an office that has not set its own (`blangko office
    # set --address`), one for the whole installation (BLANGKO_OFFICE_ADDRESS).
    office_address: str = ""
    # Seconds between two rounds of the web server's background thread that computes the
    # stored figures (forecast, coverage, cohort, projection) of every office again after a
    # change, so that a page finds them computed (services.figures.refresh). 0: no thread;
    # `blangko serve` then runs it every SERVE_REFRESH_SECONDS.
    figures_refresh_seconds: float = 0.0
    # Seconds between two rounds of the web server's thread that computes today's office
    # snapshots (the national and province view, services/network/snapshots.py) where an
    # office's sources changed (BLANGKO_SNAPSHOT_REFRESH_SECONDS). 0: no thread; `blangko
    # serve` then runs it every SERVE_SNAPSHOT_SECONDS. Its worker processes:
    # BLANGKO_SNAPSHOT_WORKERS (1: in the server's own process).
    snapshot_refresh_seconds: float = 0.0
    snapshot_workers: int = 1
    # How old a stored figure (forecast, coverage, cohort, projection, IKD) a page may show
    # while a newer one is computed in the background after a change ("Dihitung pada ... ·
    # sedang diperbarui"); an older one is computed in the view. The stock on hand is always
    # read from the ledger. 0: every view computes what changed (docs/forecast.md).
    figures_max_stale_seconds: float = 300.0
    # The national allocation (services/network/allocation.py, docs/network.md): blanks in a
    # box (BLANGKO_ALLOCATION_BOX_SIZE; every office gets whole boxes) and how much a resident
    # waiting in an office with an election within the horizon weighs
    # (BLANGKO_ALLOCATION_ELECTION_WEIGHT, set by the head of the directorate).
    allocation_box_size: int = Field(default=100, ge=1, le=100_000)
    allocation_election_weight: float = Field(default=1.5, ge=1.0, le=100.0)
    # The IKD activation target in percent of wajib KTP (BLANGKO_IKD_TARGET_PCT): 30 is the
    # directorate's figure for 2024 and 2025 (25 % of recorded in 2023); docs/handed_in.md.
    ikd_target_pct: Decimal = Field(default=Decimal("30"))
    forecast: ForecastSettings = Field(default_factory=ForecastSettings)
    projection: ProjectionSettings = Field(default_factory=ProjectionSettings)
    event: ImpactAssumptions = Field(default_factory=ImpactAssumptions)

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{Path.cwd() / DEFAULT_SQLITE_FILE}"

    def resolved_anchor_key(self) -> str:
        """The key that signs new anchors: BLANGKO_ANCHOR_KEY, else BLANGKO_SECRET_KEY."""
        return self.anchor_key or self.secret_key

    def anchor_keys(self) -> list[str]:
        """Every key an anchor may have been signed with: the current one, then the previous."""
        keys = [self.resolved_anchor_key()]
        if self.anchor_key_previous and self.anchor_key_previous not in keys:
            keys.append(self.anchor_key_previous)
        return keys

    def resolved_actor(self) -> str:
        if self.actor:
            return self.actor
        try:
            return getpass.getuser()
        except (KeyError, OSError):
            return "unknown"
