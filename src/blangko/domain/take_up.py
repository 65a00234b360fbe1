"""First cards from the registry: the print-ready backlog (PRR, residents recorded and not
yet printed) coming in to print, and new recordings joining it (issue 12, point 3).

The model. Every living resident who is recorded and holds no card is at risk of coming in
to print on each open printing day. The chance of coming on one open day (the *take-up
rate*) depends on how long the resident has waited since the recording: most people
recorded today or last month come soon, while a resident recorded years ago and never
printed rarely comes unless something (an election, a campaign) sends them. So the rate is
a step function of the days since recording, one rate per band of ``BANDS``:

    0       recorded that day (printed on the spot)
    1-29    the first month
    30-89   the next two months
    90+     the old backlog

Estimation, from the office's own registry (``tanggal_rekam``, ``tanggal_cetak``) over the
last ``WINDOW_DAYS`` days before the forecast: each open printing day on which a resident
was waiting is one trial in the band of their waiting time that day (the *exposure*), and a
first print is a success in the band of the day it happened. A success on a day the calendar
calls closed counts that day as a trial too (the office evidently printed). Each band's
rate then has a Beta posterior (a discrete-time hazard; for the small daily rates of a
backlog it coincides with the Poisson count with exposure and its Gamma posterior, and
unlike it stays below 1 for the same-day band), with a weak prior centred on the pooled rate
of all bands (worth one trial), so a band without history borrows the pooled rate with a
wide interval. An office with no PRR history at all
gets the pooled prior centred on ``FALLBACK_RATE`` and a very wide interval.

Simulation. Each sample path draws one rate per band from the posteriors. The backlog
of today (counts by days since recording) and each day's new recordings (a path of the
recordings forecast) move through the bands day by day: on an open printing day each band
sends its rate's share of its members to print; at the end of each day everyone is one day
older and leaves a band at its upper end. The expected flows are computed exactly (each
cohort's survival through a band is its rate to the power of the open days it spent there);
the prints of a day are a Poisson draw around that path's expectation, capped so that a path
never prints more people than it had waiting. An event (an election) that sends a share of
the backlog to print draws those people from the same backlog (``event_draw``): they leave
it before the day's take-up, so the backlog part does not count them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

# (first day, first day of the next band) since the recording; None: no upper end.
BANDS: tuple[tuple[int, int | None], ...] = ((0, 1), (1, 30), (30, 90), (90, None))
OLD_DAYS = 90  # ages of at least this many days share the last band's rate
WINDOW_DAYS = 365
PRIOR_PRINTS = 0.5  # the waiting bands' prior is worth half a print
FALLBACK_RATE = 0.005  # per open day, only when the office has no PRR history at all
NEVER = 10**9  # day offset meaning "no card printed"
BAND_LABELS = ("0", "1-29", "30-89", "90+")

assert BANDS[-1] == (OLD_DAYS, None) and len(BAND_LABELS) == len(BANDS)


def band_of(age_days: np.ndarray) -> np.ndarray:
    """Band index of each waiting time in days (0 = recorded that day)."""
    bounds = np.array([lo for lo, _ in BANDS[1:]])
    return np.searchsorted(bounds, np.asarray(age_days), side="right")


@dataclass(frozen=True)
class Registry:
    """The registry as the take-up model reads it: residents grouped by recording day, print
    day (``NEVER`` when no card), whether they are alive now and whether their card is a
    replacement (they held one before: never print-ready), as day offsets from ``base``;
    and which days printing and recording were (or will be) open, from ``base`` on."""

    base: date
    recorded: np.ndarray  # int: day offset of tanggal_rekam
    printed: np.ndarray  # int: day offset of tanggal_cetak, NEVER for none
    count: np.ndarray  # residents in each group
    alive: np.ndarray  # bool: status HIDUP now
    print_open: np.ndarray  # bool per day from base
    record_open: np.ndarray  # bool per day from base
    replaced: np.ndarray | None = None  # bool: the card is a replacement (None: none is)

    @property
    def first(self) -> np.ndarray:
        """Groups whose print (if any) is a first card."""
        return np.ones(len(self.count), bool) if self.replaced is None else ~self.replaced

    @property
    def active(self) -> bool:
        """Whether the registry holds any recorded resident: without, there is no first-card
        part and the forecast is the ledger's alone."""
        return bool(self.count.sum() > 0)

    def offset(self, day: date) -> int:
        return (day - self.base).days

    def first_prints(self, first: date, days: int) -> np.ndarray:
        """First cards printed per day from ``first`` for ``days`` days (every status: a
        resident who died since still took a blank)."""
        lo = self.offset(first)
        p = self.printed
        m = (p >= lo) & (p < lo + days) & (self.recorded <= p) & self.first
        return np.bincount(p[m] - lo, weights=self.count[m], minlength=days)[:days]

    def recordings(self, first: date, days: int) -> np.ndarray:
        """Residents recorded per day from ``first`` for ``days`` days."""
        lo = self.offset(first)
        r = self.recorded
        m = (r >= lo) & (r < lo + days)
        return np.bincount(r[m] - lo, weights=self.count[m], minlength=days)[:days]

    def backlog_at(self, day: date) -> np.ndarray:
        """The living residents waiting for a card at the start of ``day`` (recorded before
        it, not printed before it), by days waited on ``day``: index a < OLD_DAYS holds
        those who have waited a days, index OLD_DAYS the rest."""
        o = self.offset(day)
        m = self.alive & self.first & (self.recorded < o) & (self.printed >= o)
        return ages_to_backlog(o - self.recorded[m], self.count[m])


def ages_to_backlog(ages: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Counts by days waited (as `Registry.backlog_at` gives them) from ages and counts."""
    a = np.minimum(np.asarray(ages, dtype=np.int64), OLD_DAYS)
    if len(a) and a.min() < 0:
        raise ValueError("a waiting time cannot be negative")
    return np.bincount(a, weights=np.asarray(counts, dtype=float), minlength=OLD_DAYS + 1)


def first_cards_in_use(
    used: np.ndarray, ledger_first: np.ndarray, registry_first: np.ndarray
) -> np.ndarray:
    """The first cards to take out of the blanks used per day, so that the count model of the
    rest (replacements and other use) counts none of the cards the registry's parts bring.

    Those are the first cards both books show: the ledger's (blanks consumed as pemula, on
    the ledger's own days), scaled down to the registry's total when the registry shows
    fewer (a registry not yet refreshed: the first cards it does not explain stay with the
    other use, so they are not lost). A ledger without service types (no pemula at all)
    gives the registry's first cards of each day, as far as the blanks used go."""
    used = np.asarray(used, dtype=float)
    ledger_first = np.minimum(np.asarray(ledger_first, dtype=float), used)
    registry_first = np.asarray(registry_first, dtype=float)
    total_l, total_r = ledger_first.sum(), registry_first.sum()
    if total_l > 0:
        return ledger_first * min(1.0, total_r / total_l)
    return np.minimum(used, registry_first)


@dataclass(frozen=True)
class BandRate:
    """One band's take-up: prints and open-day trials in the window, and the Beta posterior
    of the chance per open day."""

    from_days: int
    to_days: int | None
    prints: float
    exposure: float
    a: float
    b: float

    @property
    def rate(self) -> float:
        return self.a / (self.a + self.b)


@dataclass(frozen=True)
class TakeUp:
    bands: tuple[BandRate, ...]
    window: tuple[date, date] | None  # first and last day estimated on
    open_days: int
    pooled: float  # the prior mean: all bands together

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """(n, bands) rates per open day, one row per sample path."""
        return np.column_stack([rng.beta(b.a, b.b, size=n) for b in self.bands])

    def interval(self, level: float = 0.9, n: int = 20_000) -> list[tuple[float, float]]:
        """Each band's central posterior interval (from a fixed-seed sample: no statistics
        package for one quantile)."""
        draws = self.sample(np.random.default_rng(0), n)
        lo, hi = (1 - level) / 2, 1 - (1 - level) / 2
        return [
            (float(np.quantile(draws[:, j], lo)), float(np.quantile(draws[:, j], hi)))
            for j in range(len(self.bands))
        ]


def estimate(reg: Registry, origin: date, window_days: int = WINDOW_DAYS) -> TakeUp:
    """Take-up rates per band from the registry's last ``window_days`` before ``origin``
    (and never before ``reg.base``): see the module docstring."""
    o = reg.offset(origin)
    w0 = max(0, o - window_days)
    opened = np.asarray(reg.print_open[w0:o], dtype=bool)
    n_days = len(opened)
    cum = np.concatenate([[0], np.cumsum(opened)])

    def open_between(first: np.ndarray, last: np.ndarray) -> np.ndarray:
        """Open days from first to last inclusive (offsets), inside the window."""
        lo = np.clip(first, w0, w0 + n_days) - w0
        hi = np.clip(last + 1, w0, w0 + n_days) - w0
        return np.where(hi > lo, cum[hi] - cum[np.minimum(lo, hi)], 0)

    m = reg.first & reg.alive & (reg.recorded < o) & (reg.printed >= w0)
    m &= reg.printed >= reg.recorded
    r, p, n = reg.recorded[m], reg.printed[m], reg.count[m].astype(float)
    last = np.minimum(p, o - 1)  # waiting up to and including the day of the print
    printed_in = (p >= w0) & (p < o)
    p_idx = np.clip(p - w0, 0, max(0, n_days - 1))
    closed_print = printed_in & ~(opened[p_idx] if n_days else np.zeros(len(p), dtype=bool))
    band_at_print = band_of(p - r)
    prints = np.zeros(len(BANDS))
    exposure = np.zeros(len(BANDS))
    for j, (lo, hi) in enumerate(BANDS):
        first = np.maximum(r + lo, w0)
        end = last if hi is None else np.minimum(r + hi - 1, last)
        exposure[j] = float(np.sum(n * open_between(first, end)))
        in_band = printed_in & (band_at_print == j)
        prints[j] = float(np.sum(n[in_band]))
        exposure[j] += float(np.sum(n[in_band & closed_print]))
    # Band 0 (printed on the spot or not) is a chance of its own: Jeffreys' Beta(1/2, 1/2).
    # The waiting bands share a prior centred on their pooled rate, worth half a print; the
    # pooled rate itself has one centred on FALLBACK_RATE, worth half a print too.
    pooled = (prints[1:].sum() + PRIOR_PRINTS) / (exposure[1:].sum() + PRIOR_PRINTS / FALLBACK_RATE)
    priors = [(0.5, 0.5)] + [(PRIOR_PRINTS, PRIOR_PRINTS * (1 - pooled) / pooled)] * (
        len(BANDS) - 1
    )
    bands = tuple(
        BandRate(
            lo,
            hi,
            prints[j],
            exposure[j],
            priors[j][0] + prints[j],
            priors[j][1] + max(0.0, exposure[j] - prints[j]),
        )
        for j, (lo, hi) in enumerate(BANDS)
    )
    window = (reg.base + timedelta(days=w0), origin - timedelta(days=1)) if n_days else None
    return TakeUp(bands, window, int(opened.sum()), float(pooled))


@dataclass
class Parts:
    """Prints per path and day from the backlog of today (a) and from new recordings (b),
    their expectations given each path's rates, the rates drawn, and the backlog each
    event drew away."""

    backlog: np.ndarray  # (paths, horizon) prints
    recordings: np.ndarray  # (paths, horizon) prints
    expected_backlog: np.ndarray  # (paths, horizon)
    expected_recordings: np.ndarray  # (paths, horizon)
    rates: np.ndarray  # (paths, bands)
    drawn_by_events: np.ndarray  # (paths,) backlog members an event took

    @property
    def total(self) -> np.ndarray:
        return self.backlog + self.recordings


def simulate(
    take_up: TakeUp,
    backlog: np.ndarray,
    print_open: np.ndarray,
    recordings: np.ndarray | None = None,
    *,
    n_paths: int,
    seed: int = 0,
    event_draw: np.ndarray | None = None,
) -> Parts:
    """Sample the first cards of the coming days (see the module docstring).

    backlog: today's waiting residents by days waited (`ages_to_backlog`); print_open: the
    coming days' printing calendar; recordings: (paths, horizon) new recordings per day, or
    None; event_draw: (paths, horizon) backlog members events send to print each day."""
    rng = np.random.default_rng(seed)
    print_open = np.asarray(print_open, dtype=bool)
    horizon = len(print_open)
    backlog = np.asarray(backlog, dtype=float)
    rates = take_up.sample(rng, n_paths)
    log_keep = np.log1p(-np.minimum(rates, 1 - 1e-12))
    widths = [hi - lo for lo, hi in BANDS if hi is not None]
    nb = len(BANDS)
    expected = np.zeros((2, horizon, n_paths))  # day-major: each day's slice is contiguous
    drawn = np.zeros((horizon, n_paths))
    new = (
        np.zeros((n_paths, horizon)) if recordings is None else np.asarray(recordings, dtype=float)
    )
    new_t = np.ascontiguousarray(new.T)
    rates_t = np.ascontiguousarray(rates.T)  # (bands, paths)
    keep_t = np.ascontiguousarray(log_keep.T)
    for part in (0, 1):  # 0: today's backlog, 1: new recordings
        waiting = np.zeros((nb, n_paths))
        inflow = np.zeros((horizon + 1, nb, n_paths))
        # Today's backlog: who sits in which band, and the day each leaves it.
        init_exit = np.zeros((nb, horizon))
        if part == 0:
            for age, k in enumerate(backlog):
                if k <= 0:
                    continue
                j = int(band_of(np.array([age]))[0])
                waiting[j] += k
                hi = BANDS[j][1]
                if hi is not None and hi - 1 - age < horizon:
                    init_exit[j, hi - 1 - age] += k
        elif not new.any():
            continue
        cum_log = np.zeros((horizon + 1, nb, n_paths))  # log survival before each day
        for t in range(horizon):
            if part == 1:
                waiting[0] += new_t[t]
                inflow[t, 0] += new_t[t]
            step = keep_t if print_open[t] else 0.0
            if part == 0 and event_draw is not None and event_draw[:, t].any():
                total = waiting.sum(axis=0)
                share = event_draw[:, t] / np.maximum(total, 1e-12)
                f = np.where(total > 0, np.clip(1 - share, 0, 1), 1.0)
                drawn[t] = total * (1 - f)
                waiting *= f[None, :]
                step = step + np.log(np.maximum(f, 1e-300))[None, :]
            if print_open[t]:
                out = waiting * rates_t
                waiting -= out
                expected[part, t] = out.sum(axis=0)
            cum_log[t + 1] = cum_log[t] + step
            # End of the day: the cohorts that reach a band's upper end move on.
            for j, w in enumerate(widths):
                s = t - w + 1
                leave = np.zeros(n_paths)
                if s >= 0 and inflow[s, j].any():
                    leave += inflow[s, j] * np.exp(cum_log[t + 1, j] - cum_log[s, j])
                if init_exit[j, t]:
                    leave += init_exit[j, t] * np.exp(cum_log[t + 1, j])
                if leave.any():
                    leave = np.minimum(leave, np.maximum(waiting[j], 0))
                    waiting[j] -= leave
                    waiting[j + 1] += leave
                    inflow[t + 1, j + 1] += leave
            np.maximum(waiting, 0, out=waiting)
    expected = np.ascontiguousarray(expected.transpose(0, 2, 1))
    drawn = drawn.T
    draws = rng.poisson(expected)
    # A path never prints more people than it had waiting (today's backlog less those the
    # events took; the recordings so far).
    available = np.stack([backlog.sum() - np.cumsum(drawn, axis=1), np.cumsum(new, axis=1)])
    capped = np.minimum(np.cumsum(draws, axis=2), np.floor(np.maximum(available, 0) + 1e-9))
    capped = np.maximum.accumulate(np.maximum(capped, 0), axis=2)
    prints = np.diff(capped, axis=2, prepend=0.0)
    return Parts(prints[0], prints[1], expected[0], expected[1], rates, drawn.sum(axis=1))


def backlog_rate(rates: np.ndarray, backlog: np.ndarray) -> np.ndarray:
    """Each path's take-up rate of today's backlog as a whole: the bands' rates weighted by
    how many wait in each (0 for an empty backlog)."""
    by_band = np.zeros(len(BANDS))
    for age, k in enumerate(np.asarray(backlog, dtype=float)):
        by_band[int(band_of(np.array([age]))[0])] += k
    total = by_band.sum()
    if total <= 0:
        return np.zeros(rates.shape[0])
    return rates @ (by_band / total)
