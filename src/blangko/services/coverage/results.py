"""What the coverage use cases return: one TypedDict per result shape (plain dicts at run
time, checked by mypy, and the web API's response models)."""

from __future__ import annotations

from typing import NotRequired

from typing_extensions import TypedDict


class Figures(TypedDict):
    """The four numbers every coverage row shows, from exact counts."""

    wajib_ktp: int
    recorded: int
    unrecorded: int
    coverage_pct: float | None
    gap_to_target: int


class _Area(TypedDict):
    code: str
    name: str | None


class AreaFigures(_Area, Figures):
    """One kabupaten, kecamatan or desa."""


class _Sex(TypedDict):
    sex: str
    label: str


class SexFigures(_Sex, Figures):
    pass


class _Band(TypedDict):
    band: str


class BandFigures(_Band, Figures):
    pass


class _CoverageHead(TypedDict):
    office: str
    as_of: str
    by: str
    target_pct: float


class Coverage(_CoverageHead, Figures):
    """The office's figures, then per area at level `by`, per sex and per age band."""

    areas: list[AreaFigures]
    by_sex: list[SexFigures]
    by_age_band: list[BandFigures]


# "from" is a keyword: the functional form.
CohortMonth = TypedDict("CohortMonth", {"month": str, "from": str, "to": str, "total": int})


class CohortKecamatan(TypedDict):
    code: str
    name: str | None
    months: dict[str, int]
    total: int


class Cohort(TypedDict):
    """Residents turning 17 in each coming month, per kecamatan."""

    office: str
    as_of: str
    months: list[CohortMonth]
    kecamatan: list[CohortKecamatan]
    total: int


class GapsWritten(TypedDict):
    """The list of unrecorded residents written to a file."""

    office: str
    as_of: str
    area: str
    output: str
    format: str
    rows: int


class ProjectionAssumptions(TypedDict):
    recent_pace_per_open_day: float
    history_days: int
    capacity_per_day: int | None
    open_ended_closures_assumed_to_end: str | None
    cohort_turning_17_next_24_months: int
    horizon_days: int


class ExtraNeeded(TypedDict):
    """Extra recordings, on top of the expected pace, that reach the target by a date."""

    by_date: str
    expected_recorded_at_current_pace: int
    wajib_ktp_then: int
    extra_recordings: int
    open_days: int
    extra_recordings_per_open_day: float | None
    door_to_door_team_days: int
    door_to_door_per_team_day: int


class Projection(TypedDict):
    """When recorded coverage may reach the target, and what it takes by a date."""

    office: str
    as_of: str
    target_pct: float
    wajib_ktp: int
    recorded: int
    coverage_pct: float | None
    gap_to_target: int
    p50_date: str | None
    p85_date: str | None
    reachable: bool
    limiting_factor: str
    assumptions: ProjectionAssumptions
    extra_needed: NotRequired[ExtraNeeded]
