"""Daily demand for blanks: a negative-binomial count model and simulated demand paths.

Why this shape (see issue "Forecast demand and decide stock"): item-level demand is a count,
often small; a negative-binomial GLM with a weekday pattern and a trend gives intervals that
stay non-negative and widen honestly, where Gaussian intervals go below zero. Days the office
is closed (weekends, national holidays, closures) are structural zeros: they are left out of
the fit and forecast as exactly 0, never as "low demand". Demand that arrives while the office
is closed is not lost: a backlog regressor (closed working days in the fortnight before) lets
the days after a reopening run higher. Election uplift is added on top from the event impact
(low / expected / high), not typed in by hand.

Decisions are taken on sample paths (parameter uncertainty x count noise), not on a normal
approximation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from blangko.domain.text import Msg

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
BACKLOG_WINDOW = 14
MIN_OPEN_DAYS_FOR_TREND = 56
MIN_ACTIVE_DAYS_FOR_TREND = 20  # days with any use: a trend is not read off a few spikes
CAP_OVER_BUSIEST_DAY = 4.0  # a day's expected use is at most this times the busiest day seen
CAP_FLOOR = 10.0
MIN_OPEN_DAYS_FOR_WEEKDAYS = 20
MIN_EVENTS_FOR_REGRESSION = 10
# The trend's prior: log change per year ~ Normal(0, TREND_PRIOR_SD^2), i.e. most offices'
# demand changes by less than about 30 % a year. A trend read off a few months is mostly
# noise (its standard error is about 1 per year on three months of a few blanks a day) and
# would be extrapolated for months; the prior keeps such a trend near 0 and leaves one that
# a year or more of history shows.
TREND_PRIOR_SD = 0.3


@dataclass(frozen=True)
class Uplift:
    """Extra demand expected because of an event, spread over the open days of a window."""

    name: str
    start: date  # first day people come
    end: date  # the event date (inclusive)
    low: float
    expected: float
    high: float


@dataclass
class FittedModel:
    name: str
    beta: np.ndarray
    cov: np.ndarray
    alpha: float  # NB2 dispersion: var = mu + alpha * mu^2
    columns: list[str]
    fitted_on_days: int
    origin: date  # day after the last day of history
    history_start: date  # the trend is measured in years from here
    warnings: list[str] = field(default_factory=list)
    busiest_day: float = math.inf  # the most used on one day of the history


def _closed_working_days_before(open_flags: np.ndarray, weekdays: np.ndarray) -> np.ndarray:
    """For each day, how many Monday-Friday days in the previous fortnight were closed."""
    closed_working = ((~open_flags) & (weekdays < 5)).astype(float)
    out = np.zeros(len(open_flags))
    csum = np.concatenate([[0.0], np.cumsum(closed_working)])
    for i in range(len(open_flags)):
        lo = max(0, i - BACKLOG_WINDOW)
        out[i] = csum[i] - csum[lo]
    return out


def _design(
    days: list[date],
    open_flags: np.ndarray,
    columns: list[str],
    t0: date,
    history_open: np.ndarray | None = None,
    event_windows: tuple[tuple[date, date], ...] = (),
) -> np.ndarray:
    """Regressors for the given days. history_open prefixes open_flags for the backlog window."""
    weekdays = np.array([d.weekday() for d in days])
    if history_open is not None:
        full_open = np.concatenate([history_open, open_flags])
        full_wd = np.concatenate(
            [
                np.array(
                    [
                        (days[0] - timedelta(days=len(history_open) - i)).weekday()
                        for i in range(len(history_open))
                    ]
                ),
                weekdays,
            ]
        )
        backlog = _closed_working_days_before(full_open, full_wd)[len(history_open) :]
    else:
        backlog = _closed_working_days_before(open_flags, weekdays)
    t = np.array([(d - t0).days / 365.0 for d in days])
    cols = []
    for c in columns:
        if c == "const":
            cols.append(np.ones(len(days)))
        elif c == "trend":
            cols.append(t)
        elif c == "backlog":
            cols.append(np.log1p(backlog))
        elif c == "event":
            cols.append(np.array([float(any(a <= d <= b for a, b in event_windows)) for d in days]))
        elif c.startswith("wd"):
            cols.append((weekdays == int(c[2:])).astype(float))
    return np.column_stack(cols) if cols else np.ones((len(days), 1))


def fit(
    start: date,
    used: np.ndarray,
    open_flags: np.ndarray,
    event_windows: tuple[tuple[date, date], ...] = (),
) -> FittedModel:
    """Fit the count model to a daily history (used blanks; open flags of the same days).

    event_windows: past events' rush periods (first day people came, event date). Their
    effect is estimated so that a past election does not pass for trend; future events are
    added from their impact estimate in `simulate`, not from this coefficient.
    """
    used = np.asarray(used, dtype=float)
    open_flags = np.asarray(open_flags, dtype=bool)
    days = [start + timedelta(days=i) for i in range(len(used))]
    n_open = int(open_flags.sum())
    notes: list[str] = []
    columns = ["const"]
    open_weekdays = sorted({d.weekday() for d, o in zip(days, open_flags, strict=True) if o})
    if n_open >= MIN_OPEN_DAYS_FOR_WEEKDAYS and len(open_weekdays) > 1:
        columns += [f"wd{w}" for w in open_weekdays[1:]]
    active_days = int(((used > 0) & open_flags).sum())
    if n_open >= MIN_OPEN_DAYS_FOR_TREND and active_days >= MIN_ACTIVE_DAYS_FOR_TREND:
        columns.append("trend")
    closed_weekdays = int(((~open_flags) & (np.array([d.weekday() for d in days]) < 5)).sum())
    if closed_weekdays >= 3 and n_open >= MIN_OPEN_DAYS_FOR_WEEKDAYS:
        columns.append("backlog")
    in_window = [any(a <= d <= b for a, b in event_windows) for d in days]
    if sum(o and w for o, w in zip(open_flags, in_window, strict=True)) >= 5:
        columns.append("event")
    origin = start + timedelta(days=len(used))
    if n_open == 0:
        return FittedModel(
            "nb_glm",
            np.array([math.log(0.5)]),
            np.array([[4.0]]),
            1.0,
            ["const"],
            0,
            origin,
            start,
            ["Belum ada riwayat pemakaian: perkiraan sangat lebar (asumsi 0,5 keping/hari)."],
        )
    X = _design(days, open_flags, columns, start, event_windows=event_windows)[open_flags]
    y = used[open_flags]
    if y.sum() < MIN_EVENTS_FOR_REGRESSION:
        # Almost nothing happened: a regression has nothing to learn from (its MLE runs off
        # to minus infinity). The rate's posterior under a Jeffreys prior is
        # Gamma(total + 1/2, open days); its log has variance trigamma(total + 1/2).
        shape = float(y.sum()) + 0.5
        trigamma = 1 / shape + 1 / (2 * shape**2) + 1 / (6 * shape**3)
        return FittedModel(
            "nb_glm",
            np.array([math.log(shape / n_open)]),
            np.array([[trigamma]]),
            0.3,
            ["const"],
            n_open,
            origin,
            start,
            [
                f"Hanya {int(y.sum())} kejadian dalam {n_open} hari buka: "
                "perkiraan dari laju rata-rata saja, sangat lebar."
            ],
        )
    prior = np.array([1 / TREND_PRIOR_SD**2 if c == "trend" else 0.0 for c in columns])
    beta, cov, alpha = _fit_nb(X, y, prior)
    if n_open < MIN_OPEN_DAYS_FOR_TREND:
        # Weeks of history: keep the estimate but widen it, and say so.
        cov = cov * 4.0
        alpha = max(alpha, 0.3)
        notes.append(
            Msg(
                "Riwayat baru {n_open} hari buka: tanpa tren, interval dilebarkan; perkiraan akan menyempit setelah 8 minggu data.",
                n_open=n_open,
            )
        )
    return FittedModel(
        "nb_glm", beta, cov, alpha, columns, n_open, origin, start, notes, float(y.max())
    )


def _irls(
    X: np.ndarray,
    y: np.ndarray,
    alpha: float,
    prior: np.ndarray | None = None,
    beta: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients of a log-link NB2 model for a fixed dispersion, by iteratively
    reweighted least squares; returns them with their covariance (inverse Fisher
    information). ``prior``: the precision of a Normal(0, 1/precision) prior on each
    coefficient (0: none), which makes them posterior modes (penalised IRLS)."""
    if beta is None:
        beta = np.zeros(X.shape[1])
        beta[0] = math.log(max(float(np.mean(y)), 0.1))
    ridge = 1e-8 * np.eye(X.shape[1])
    if prior is not None:
        ridge = ridge + np.diag(prior)
    info = np.eye(X.shape[1])
    for _ in range(100):
        eta = np.clip(X @ beta, -20, 12)
        mu = np.exp(eta)
        w = mu / (1 + alpha * mu)
        z = eta + (y - mu) / mu
        xtw = X.T * w
        info = xtw @ X + ridge
        new = np.linalg.solve(info, xtw @ z)
        if np.max(np.abs(new - beta)) < 1e-9:
            beta = new
            break
        beta = new
    cov = np.linalg.inv(info)
    return beta, (cov + cov.T) / 2  # inverse of a symmetric matrix, up to rounding


_lgamma = np.vectorize(math.lgamma, otypes=[float])


def _nb_loglik(y: np.ndarray, mu: np.ndarray, alpha: float) -> float:
    r = 1.0 / alpha
    return float(
        np.sum(_lgamma(y + r) - math.lgamma(r) - _lgamma(y + 1))
        + np.sum(r * np.log(r / (r + mu)) + y * np.log(mu / (r + mu)))
    )


def _fit_nb(
    X: np.ndarray, y: np.ndarray, prior: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, float]:
    """NB2 maximum likelihood (posterior mode under ``prior``, see `_irls`): IRLS for the
    coefficients inside a golden-section search of the profile likelihood over log(alpha).
    Plain numpy, so a one-off forecast does not pay for importing a statistics package."""
    lo, hi = math.log(1e-4), math.log(20.0)
    cache: dict[float, tuple[float, np.ndarray, np.ndarray]] = {}
    precision = np.zeros(X.shape[1]) if prior is None else np.asarray(prior, dtype=float)

    def profile(log_alpha: float) -> float:
        alpha = math.exp(log_alpha)
        beta, cov = _irls(X, y, alpha, precision)
        mu = np.exp(np.clip(X @ beta, -20, 12))
        ll = _nb_loglik(y, mu, alpha) - 0.5 * float(np.sum(precision * beta**2))
        cache[log_alpha] = (ll, beta, cov)
        return ll

    g = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    fc_, fd = profile(c), profile(d)
    for _ in range(40):
        if fc_ > fd:
            b, d, fd = d, c, fc_
            c = b - g * (b - a)
            fc_ = profile(c)
        else:
            a, c, fc_ = c, d, fd
            d = a + g * (b - a)
            fd = profile(d)
        if b - a < 1e-3:
            break
    best = max(cache, key=lambda k: cache[k][0])
    _, beta, cov = cache[best]
    return beta, cov, math.exp(best)


@dataclass
class Forecast:
    start: date
    open: np.ndarray
    paths: np.ndarray  # (n_paths, horizon) blanks used per day
    baseline_paths: np.ndarray  # without event uplift
    uplift_paths: dict[str, np.ndarray]  # event name -> (n_paths,) total extra blanks
    model: FittedModel
    uplift_daily: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (paths, days)

    def quantiles(self) -> np.ndarray:
        return np.quantile(self.paths, QUANTILES, axis=0)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.paths.shape[1])]


def simulate(
    model: FittedModel,
    future_open: np.ndarray,
    *,
    history_open: np.ndarray | None = None,
    uplifts: list[Uplift] | None = None,
    n_paths: int = 2000,
    seed: int = 0,
    trend_hold_days: int = 90,
    multiplier: np.ndarray | None = None,
) -> Forecast:
    """Sample demand paths for the days from model.origin on.

    A trend fitted on months is not a law for the next season: it is followed for
    `trend_hold_days` past the end of the history and held level after that; and no day's
    expected demand exceeds CAP_OVER_BUSIEST_DAY times the busiest day of the history (at
    least CAP_FLOOR), so that a fit on a sparse series (a few busy days at the end) cannot
    run away. `multiplier` (one factor per future day) scales the expected demand for shifts
    known in advance.
    """
    rng = np.random.default_rng(seed)
    future_open = np.asarray(future_open, dtype=bool)
    horizon = len(future_open)
    days = [model.origin + timedelta(days=i) for i in range(horizon)]
    X = _design(days, future_open, model.columns, model.history_start, history_open)
    if "trend" in model.columns:
        j = model.columns.index("trend")
        t_hold = ((model.origin - model.history_start).days + trend_hold_days) / 365.0
        X[:, j] = np.minimum(X[:, j], t_hold)
    betas = rng.multivariate_normal(model.beta, model.cov, size=n_paths, method="svd")
    eta = betas @ X.T
    cap = max(CAP_FLOOR, CAP_OVER_BUSIEST_DAY * model.busiest_day)
    mu = np.minimum(np.exp(np.clip(eta, -20, 12)), cap) * future_open[None, :]
    if multiplier is not None:
        # Known shifts in demand the history cannot show (a larger cohort turning 17).
        mu = mu * np.asarray(multiplier, dtype=float)[None, :]
    baseline = _nb_draw(rng, mu, model.alpha)
    total = baseline.astype(float).copy()
    uplift_totals: dict[str, np.ndarray] = {}
    uplift_daily: dict[str, np.ndarray] = {}
    for up in uplifts or []:
        idx = [i for i, d in enumerate(days) if up.start <= d <= up.end and future_open[i]]
        if not idx or up.high <= 0:
            continue
        lo, mode, hi = sorted((max(0.0, up.low), max(0.0, up.expected), max(0.0, up.high)))
        amount = rng.triangular(lo, mode, hi, size=n_paths) if hi > lo else np.full(n_paths, mode)
        share = np.zeros(horizon)
        share[idx] = 1.0 / len(idx)
        extra = rng.poisson(amount[:, None] * share[None, :])
        total += extra
        uplift_totals[up.name] = extra.sum(axis=1)
        uplift_daily[up.name] = extra
    return Forecast(
        model.origin,
        future_open,
        total,
        baseline.astype(float),
        uplift_totals,
        model,
        uplift_daily,
    )


def forecast_paths(
    start: date,
    used: np.ndarray,
    open_flags: np.ndarray,
    future_open: np.ndarray,
    *,
    event_windows: tuple[tuple[date, date], ...] = (),
    uplifts: list[Uplift] | None = None,
    multiplier: np.ndarray | None = None,
    n_paths: int = 2000,
    seed: int = 0,
) -> Forecast:
    """The count model fitted to a daily history (`fit`) and its sample paths for the days
    after it (`simulate`, the history's last fortnight of open days setting the backlog
    regressor): the one set-up of every count forecast, of the blanks used, of one part of
    them, of one service type or of recordings."""
    model = fit(start, used, open_flags, event_windows)
    opened = np.asarray(open_flags, dtype=bool)
    return simulate(
        model,
        future_open,
        history_open=opened[-BACKLOG_WINDOW:] if len(opened) else None,
        uplifts=uplifts,
        n_paths=n_paths,
        seed=seed,
        multiplier=multiplier,
    )


def _nb_draw(rng: np.random.Generator, mu: np.ndarray, alpha: float) -> np.ndarray:
    """Negative-binomial draws as a gamma-Poisson mixture; closed days (mu 0) stay 0 and are
    not drawn at all."""
    out = np.zeros(mu.shape, dtype=np.int64)
    cols = np.flatnonzero(mu.any(axis=0))
    if len(cols):
        m = mu[:, cols]
        shape = 1.0 / alpha
        out[:, cols] = rng.poisson(m * rng.gamma(shape, 1.0 / shape, size=m.shape))
    return out
