"""Rationing (penjatahan cetak) when blanks run short: a daily print cap, priority classes in
order, and what everyone else is given while they wait.

The field's practice (FIELD.md, "Supply"): offices cap printing (200 a day in 2025, 500 a month
in 2019) and serve first cards, disaster victims and residents replacing a suket first (2020);
others are given a suket. A policy here has

- a start and an end (both inclusive; at most one policy covers a day at an office);
- a daily cap: prints (blanks consumed by printing a card) allowed per day, 0 or more;
- the priority classes in order (CLASSES, default DEFAULT_CLASSES): an application belongs to
  every class it meets and is served as the first of the policy's classes it meets; an
  application that meets none is one of the others (served after every class);
- what the others get: a suket at once, or the date their card is expected.

The print queue under a policy is ordered by class, then oldest application first (as the
queue without a policy is ordered within its groups). Two rules hold in the print path
(services/rationing.py) and are what the property tests check: no more prints in a day than
the cap, and no print of a class while an application of a higher class waits, unless the
head overrides with a reason.

The 2017 directorate letter's 70 % / 30 % split between PRR and other services is not a rule
of a policy here: strict priority with a cap serves PRR (first cards) first, which is the
split's intent; a share rule would let a lower class pass a higher one, against the second
rule above (docs/service.md, "Penjatahan cetak").

The forecast figures of a policy (days of cover with and without it, the expected wait per
class) are computed on the forecast's own demand paths: `served_paths`, `class_waits`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np

from blangko.domain.errors import Conflict, DomainError, one_of
from blangko.domain.text import N_, Msg

# The classes a policy may put first, by their key, and what the clerk reads.
CLASS_LABEL_ID: Final = {
    "suket": "pemegang suket (mengganti suket)",
    "pemula": "KTP pertama (pemula)",
    "bencana": "korban bencana",
    "hilang": "penggantian karena hilang",
    "rusak": "penggantian karena rusak",
    "perubahan_data": "perubahan data",
}
CLASSES: Final = tuple(CLASS_LABEL_ID)
# The field's priority groups (2020): residents replacing a suket, first cards, disaster victims.
DEFAULT_CLASSES: Final = ("suket", "pemula", "bencana")
OTHERS_LABEL_ID: Final = {
    "suket": "diberi suket sambil menunggu",
    "tanggal": "diberi perkiraan tanggal cetak",
}
OTHERS: Final = tuple(OTHERS_LABEL_ID)
OTHERS_CLASS: Final = "lainnya"  # the key of the others in figures and views
OTHERS_CLASS_LABEL_ID: Final = N_("lainnya (di luar prioritas)")
# A disaster victim shows the village's or the BPBD's letter: the application's document of
# this key (any reference) makes it one of class "bencana".
DISASTER_DOCUMENT: Final = "ket_bencana"
DISASTER_DOCUMENT_LABEL_ID: Final = "surat keterangan korban bencana (desa/BPBD)"
CAP_MAX: Final = 100_000
REASON_MAX: Final = 500


@dataclass(frozen=True)
class Policy:
    start: date
    end: date
    daily_cap: int
    classes: tuple[str, ...]
    others_get: str

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


def check_policy(
    *,
    start: date | None,
    end: date | None,
    daily_cap: int | None,
    classes: Sequence[str] | None,
    others_get: str | None,
) -> Policy:
    """A policy from what the head entered; else DomainError naming the field and the rule.
    ``classes`` None: the field's defaults; ``others_get`` None: suket."""
    if start is None:
        raise DomainError("required", "start", N_("Tanggal mulai penjatahan wajib diisi."))
    if end is None:
        raise DomainError("required", "end", N_("Tanggal akhir penjatahan wajib diisi."))
    if end < start:
        raise DomainError(
            "end_before_start",
            "end",
            Msg(
                (
                    "Tanggal akhir ({end:%d-%m-%Y}) tidak boleh sebelum tanggal mulai "
                    "({start:%d-%m-%Y})."
                ),
                end=end,
                start=start,
            ),
        )
    if daily_cap is None:
        raise DomainError("required", "daily_cap", N_("Batas cetak per hari wajib diisi."))
    if daily_cap < 0:
        raise DomainError(
            "cap_negative",
            "daily_cap",
            Msg(
                (
                    "Batas cetak per hari tidak boleh negatif (diisi {daily_cap}): 0 "
                    "berarti tidak ada cetak sama sekali."
                ),
                daily_cap=daily_cap,
            ),
        )
    if daily_cap > CAP_MAX:
        raise DomainError(
            "cap_too_large",
            "daily_cap",
            f"Batas cetak per hari paling banyak {CAP_MAX:,} (diisi {daily_cap:,}).".replace(
                ",", "."
            ),
        )
    chosen = tuple(c.strip() for c in (DEFAULT_CLASSES if classes is None else classes))
    chosen = tuple(c for c in chosen if c)
    for c in chosen:
        one_of(c, CLASSES, "unknown_class", "classes", "Kelompok prioritas")
    seen: set[str] = set()
    for c in chosen:
        if c in seen:
            raise DomainError(
                "class_repeated",
                "classes",
                Msg(
                    (
                        "Kelompok prioritas '{c}' disebut lebih dari sekali: setiap kelompok "
                        "satu kali."
                    ),
                    c=c,
                ),
            )
        seen.add(c)
    others = one_of(
        (others_get or "suket").strip(), OTHERS, "unknown_others", "others_get", "Pilihan"
    )
    return Policy(start, end, daily_cap, chosen, others)


def check_no_overlap(policy: Policy, existing: Iterable[tuple[int, date, date]]) -> None:
    """At most one policy covers a day: Conflict naming the policy ``policy`` would overlap
    (existing: (number, start, end) of the office's policies, ended ones with their last day)."""
    for number, start, end in existing:
        if policy.start <= end and start <= policy.end:
            raise Conflict(
                "policy_overlap",
                "start",
                Msg(
                    (
                        "Penjatahan {start:%d-%m-%Y} s.d. {end:%d-%m-%Y} (#{number}) sudah "
                        "berlaku pada sebagian tanggal itu: satu hari hanya boleh satu "
                        "penjatahan; ubah tanggalnya atau akhiri yang lama dulu."
                    ),
                    start=start,
                    end=end,
                    number=number,
                ),
            )


def classes_of(type_: str, has_suket: bool, documents: Mapping[str, str]) -> frozenset[str]:
    """Every class an application meets: its type, 'suket' when it holds one, 'bencana' when
    it carries the disaster letter."""
    out = {type_} if type_ in CLASS_LABEL_ID else set()
    if has_suket:
        out.add("suket")
    if (documents.get(DISASTER_DOCUMENT) or "").strip():
        out.add("bencana")
    return frozenset(out)


def rank(classes: Sequence[str], member: Iterable[str]) -> int:
    """The application's place among the policy's classes: the index of the first it meets;
    len(classes) for the others."""
    mine = set(member)
    return next((i for i, c in enumerate(classes) if c in mine), len(classes))


def class_key(classes: Sequence[str], member: Iterable[str]) -> str:
    """The class an application is served as (OTHERS_CLASS when none of the policy's)."""
    r = rank(classes, member)
    return classes[r] if r < len(classes) else OTHERS_CLASS


def class_label(key: str) -> str:
    return CLASS_LABEL_ID.get(key, OTHERS_CLASS_LABEL_ID)


@dataclass(frozen=True)
class RationItem:
    receipt: str
    classes: frozenset[str]
    submitted_date: date
    day_seq: int = 0


def order_rationed(items: Iterable[RationItem], classes: Sequence[str]) -> list[RationItem]:
    """The print queue under a policy: by class, then oldest application (day, then the order
    of that day), then receipt number."""
    return sorted(
        items, key=lambda i: (rank(classes, i.classes), i.submitted_date, i.day_seq, i.receipt)
    )


def higher_waiting(
    classes: Sequence[str], member: Iterable[str], waiting: Iterable[Iterable[str]]
) -> int:
    """How many of ``waiting`` (the classes of each application waiting to print) are of a
    higher class than ``member``: a print is refused while this is not 0."""
    mine = rank(classes, member)
    return sum(1 for w in waiting if rank(classes, w) < mine)


def cap_left(daily_cap: int, printed: int) -> int:
    """Prints still allowed on a day with ``printed`` done."""
    return max(0, daily_cap - printed)


def expected_days(
    positions: int, cap: int, open_days: Sequence[date], printed_today: int, today: date
) -> list[date | None]:
    """The day each of the first ``positions`` places of the queue is expected to print: the
    open days in order, ``cap`` each (today's what is left of it); None beyond the days
    given (the caller gives the policy's open days; after them the cap no longer holds)."""
    out: list[date | None] = []
    for day in open_days:
        room = cap_left(cap, printed_today) if day == today else cap
        out.extend([day] * min(room, positions - len(out)))
        if len(out) >= positions:
            break
    return out + [None] * (positions - len(out))


# --- forecast figures --------------------------------------------------------------------------


def served_paths(paths: np.ndarray, cap: int, active: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Prints per day on each demand path under a cap on the ``active`` days: demand beyond the
    cap waits (it is not lost) and is printed on later days, first come first served; after
    the policy the waiting are printed at once. Returns (prints, waiting at the end of each
    day), both paths x days."""
    n, horizon = paths.shape
    served = np.zeros_like(paths, dtype=float)
    waiting = np.zeros_like(paths, dtype=float)
    queue = np.zeros(n)
    for t in range(horizon):
        queue = queue + paths[:, t]
        out = np.minimum(queue, cap) if active[t] else queue
        served[:, t] = out
        queue = queue - out
        waiting[:, t] = queue
    return served, waiting


def class_waits(
    paths: np.ndarray, shares: Sequence[float], cap: int, active: np.ndarray
) -> list[float | None]:
    """Mean days a card of each class waits under a cap, classes in priority order (the last
    share: the others). Each day's demand is split by ``shares``; the cap serves the classes
    in order; the mean wait of a class is its waiting card-days over its cards (Little's law),
    averaged over the paths. None for a class with no demand."""
    n, horizon = paths.shape
    k = len(shares)
    queues = np.zeros((k, n))
    waited = np.zeros(k)
    arrived = np.zeros(k)
    total = np.asarray(shares, dtype=float)
    total = total / total.sum() if total.sum() > 0 else total
    for t in range(horizon):
        room = np.full(n, float(cap)) if active[t] else np.full(n, np.inf)
        for c in range(k):
            new = paths[:, t] * total[c]
            arrived[c] += new.sum()
            queues[c] += new
            out = np.minimum(queues[c], room)
            queues[c] -= out
            room = room - out
            waited[c] += queues[c].sum()
    return [round(float(waited[c] / arrived[c]), 1) if arrived[c] > 0 else None for c in range(k)]


def suggested_cap(on_hand: int, open_days_to_delivery: int) -> int:
    """A cap that makes the stock on hand last to the next delivery: on hand over the open
    printing days until then (at least 1 day)."""
    return max(0, on_hand) // max(1, open_days_to_delivery)


def should_suggest(p_stockout: float, threshold: float, active: bool) -> bool:
    """Whether the forecast suggests rationing: P(stockout before the next delivery) above the
    threshold and no policy in force already."""
    return not active and p_stockout > threshold
