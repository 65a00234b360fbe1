"""The demo network's requests for blanks (issue 13 point 4; docs/network.md, "The demo
network"): one request in each state of its life, spread over Kaur and its neighbours in
Bengkulu, each step taken by the demo's user of that step on a day of the story.

- Kaur (17.04) drafts first (request #1): the forecast's recommendation, not submitted yet.
- Bengkulu Utara (17.03): an earlier request received in full (closed by itself), and a new
  one of 3.000 the province sent back with a comment.
- Kota Bengkulu (17.71): 2.500 approved in full, shipped in two tranches; the second arrived
  25 short (lost in transit, with its report): received, not closed.
- Kepahiang (17.08): 2.000 asked, 1.000 approved (cut, with the reason), a first tranche of
  500 on its way: partly shipped.
- Rejang Lebong (17.02): shipped in one tranche, on its way.
- Lebong (17.07): approved in full, waiting for the warehouse.
- Bengkulu Tengah (17.09): refused, its stock lasts.
- Seluma (17.05): endorsed by the province, waiting for the directorate.
- Mukomuko (17.06): submitted, waiting for the province.

And one loan (issue 13 point 5): the province has Bengkulu Selatan (17.01, its surplus)
lend 300 blanks to Seluma (17.05, short while its next shipment is on the way); sent,
received, and 100 returned since: open, 200 still owed.

The office's steps are its demo user's (Kaur's stock keeper `stok`; another office's
`stok-<code>`), the endorsements and returns the province's (`provinsi`), the decisions and
shipments the directorate's (`pusat`). Each step's time is the story's day it was taken
(the context's clock), so the timeline and the history the forecast reads (lead time and
fill rate) are those of the story.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from blangko.demo.actors import STOCK_KEEPER, acting
from blangko.domain.errors import DomainError
from blangko.services.admin.users import DEMO_DIRECTORATE_USER, DEMO_PROVINCE_USER
from blangko.services.context import Context
from blangko.services.network import loans, requests, shipments
from blangko.services.network.organisation import Reach

HOME = "17.04"
# Kaur's quantity and reason when its forecast recommends nothing.
KAUR_FALLBACK = 2_000
KAUR_REASON = "Menjelang Pilkades serentak; kiriman sebelumnya hanya separuh dari yang dimohon"
PROVINCE_USER = DEMO_PROVINCE_USER[0]
DIRECTORATE_USER = DEMO_DIRECTORATE_USER[0]


@dataclass(frozen=True)
class DemoRequest:
    """A request of the demo: its office, quantity and reason, and how far it went (the
    days are days before today)."""

    office: str
    asked: int
    reason: str
    state: str  # the state the demo leaves it in
    drafted: int  # days ago
    approved: int | None = None
    decision: str | None = None  # the reason of a cut or a refusal
    tranches: tuple[int, ...] = ()  # quantities shipped
    received: int = 0  # tranches received (the first ones)
    short: int = 0  # blanks lost in transit in the last tranche received
    comment: str | None = None  # the province's comment (endorse / return)


REQUESTS = (
    DemoRequest(
        "17.03",
        asked=1_000,
        reason="Perekaman pemula siswa SMA/SMK kelas XII semester ini",
        state="closed",
        drafted=70,
        approved=1_000,
        tranches=(1_000,),
        received=1,
        comment="Sesuai data perekaman, diteruskan ke Ditjen.",
    ),
    DemoRequest(
        "17.71",
        asked=2_500,
        reason="Antrean cetak kota dan layanan jemput bola kelurahan",
        state="received",
        drafted=45,
        approved=2_500,
        tranches=(1_500, 1_000),
        received=2,
        short=25,
        comment="Kota dengan pemakaian tertinggi di provinsi; mohon diprioritaskan.",
    ),
    DemoRequest(
        "17.08",
        asked=2_000,
        reason="Sisa stok di bawah satu bulan pemakaian",
        state="partially_shipped",
        drafted=30,
        approved=1_000,
        decision=(
            "Stok nasional terbatas; dibagi ke kabupaten yang stoknya di bawah satu bulan. "
            "Sisanya diajukan kembali bulan depan."
        ),
        tranches=(500,),
        comment="Diteruskan; stok kabupaten menipis.",
    ),
    DemoRequest(
        "17.02",
        asked=1_200,
        reason="Kebutuhan tiga bulan ke depan menurut perkiraan",
        state="shipped",
        drafted=24,
        approved=1_200,
        tranches=(1_200,),
        comment="Diteruskan.",
    ),
    DemoRequest(
        "17.07",
        asked=800,
        reason="Pelayanan keliling ke kecamatan terpencil",
        state="approved",
        drafted=18,
        approved=800,
        comment="Diteruskan.",
    ),
    DemoRequest(
        "17.09",
        asked=1_500,
        reason="Cadangan untuk pemilihan kepala desa",
        state="refused",
        drafted=16,
        decision=(
            "Stok kantor (900 keping) masih cukup untuk lebih dari tiga bulan; ajukan kembali "
            "bila sisa stok di bawah satu bulan."
        ),
        comment="Diteruskan dengan catatan: stok kantor masih ada.",
    ),
    DemoRequest(
        "17.05",
        asked=1_500,
        reason="Stok hampir habis; kiriman terakhir kurang 20 keping (hilang di perjalanan)",
        state="endorsed",
        drafted=6,
        comment="Mendesak: stok tinggal untuk beberapa hari.",
    ),
    DemoRequest(
        "17.06",
        asked=1_000,
        reason="Kebutuhan dua bulan ke depan",
        state="submitted",
        drafted=3,
    ),
    DemoRequest(
        "17.03",
        asked=3_000,
        reason="Cadangan enam bulan agar tidak kehabisan lagi",
        state="returned",
        drafted=5,
        comment=(
            "Jumlah 3.000 jauh di atas pemakaian tiga bulan; lampirkan data perekaman yang "
            "belum tercetak atau sesuaikan jumlahnya."
        ),
    ),
)


@dataclass(frozen=True)
class DemoLoan:
    lender: str
    borrower: str
    quantity: int
    reason: str
    arranged: int  # days ago
    due_after: int  # days after arranging
    returned: int  # blanks returned (and received back) since


LOAN = DemoLoan(
    "17.01",
    "17.05",
    quantity=300,
    reason=(
        "Stok Seluma tinggal untuk beberapa hari sementara kiriman Ditjen masih di perjalanan; "
        "Bengkulu Selatan kelebihan stok."
    ),
    arranged=12,
    due_after=60,
    returned=100,
)


def add_loan(ctx: Context, loan: DemoLoan = LOAN) -> int:
    """The demo's loan: arranged by the province, sent by the lender, received by the
    borrower, `returned` blanks sent back and received; its number."""
    today = ctx.today()
    day = today - timedelta(days=loan.arranged)
    province = Reach(province=loan.lender.split(".", 1)[0])
    number = loans.arrange(
        _at(ctx, PROVINCE_USER, day, 3),
        lender=loan.lender,
        borrower=loan.borrower,
        quantity=loan.quantity,
        reason=loan.reason,
        due=day + timedelta(days=loan.due_after),
        reach=province,
    )["loan"]["id"]
    lender, borrower = office_user(loan.lender), office_user(loan.borrower)
    sent = day + timedelta(days=1)
    out = loans.send(
        _at(ctx, lender, sent, 2),
        loan=number,
        document=f"PINJAM/{loan.lender}/{number}",
        effective=sent,
        office=loan.lender,
    )["shipment"]
    assert out is not None
    arrived = sent + timedelta(days=1)
    shipments.receive(
        _at(ctx, borrower, arrived, 3),
        shipment=out["id"],
        document=f"BAST/PINJAM/{loan.borrower}/{number}",
        effective=arrived,
        office=loan.borrower,
    )
    if loan.returned:
        back_day = today - timedelta(days=3)
        back = loans.return_loan(
            _at(ctx, borrower, back_day, 2),
            loan=number,
            document=f"KEMBALI/{loan.borrower}/{number}/1",
            qty=loan.returned,
            effective=back_day,
            office=loan.borrower,
        )["shipment"]
        assert back is not None
        shipments.receive(
            _at(ctx, lender, back_day + timedelta(days=1), 3),
            shipment=back["id"],
            document=f"BAST/KEMBALI/{loan.lender}/{number}/1",
            effective=back_day + timedelta(days=1),
            office=loan.lender,
        )
    return number


def _at(ctx: Context, who: str, day: date, hour: int) -> Context:
    """The context writing as `who` on `day` at `hour` (UTC; the office's morning)."""
    moment = datetime.combine(day, time(hour))
    return replace(acting(ctx, who), clock=lambda: moment)


def office_user(office: str) -> str:
    """The demo user who takes an office's steps: Kaur's stock keeper, or the office's."""
    return STOCK_KEEPER if office == HOME else f"stok-{office.replace('.', '')}"


def add_requests(ctx: Context) -> list[int]:
    """Kaur's draft first (request #1: the forecast's recommendation), then REQUESTS; their
    numbers."""
    today = ctx.today()
    writer = _at(ctx, STOCK_KEEPER, today - timedelta(days=1), 2)
    try:
        kaur = requests.draft(writer, office=HOME)
    except DomainError as e:
        if e.code != "quantity_required":
            raise
        # Nothing recommended (a smaller demo office holds enough): the office asks anyway,
        # with its reason.
        kaur = requests.draft(writer, office=HOME, quantity=KAUR_FALLBACK, reason=KAUR_REASON)
    numbers = [kaur["request"]["id"]]
    for r in REQUESTS:
        numbers.append(_one(ctx, r, today))
    return numbers


def _one(ctx: Context, r: DemoRequest, today: date) -> int:
    """One request of REQUESTS, taken as far as its state, day by day."""
    day = today - timedelta(days=r.drafted)
    office = office_user(r.office)
    n = requests.draft(
        _at(ctx, office, day, 2),
        office=r.office,
        quantity=r.asked,
        reason=r.reason,
        number=f"470/{r.office.replace('.', '')}/{day:%m}/{day:%Y}",
        as_of=day,
    )["request"]["id"]
    if r.state == "draft":
        return n
    requests.submit(_at(ctx, office, day, 3), request=n)
    if r.state == "submitted":
        return n
    step = day + timedelta(days=1)
    if r.state == "returned":
        requests.send_back(_at(ctx, PROVINCE_USER, step, 4), request=n, comment=r.comment)
        return n
    requests.endorse(_at(ctx, PROVINCE_USER, step, 4), request=n, comment=r.comment)
    if r.state == "endorsed":
        return n
    step += timedelta(days=2)
    pusat = _at(ctx, DIRECTORATE_USER, step, 3)
    if r.state == "refused":
        requests.refuse(pusat, request=n, reason=r.decision)
        return n
    requests.approve(pusat, request=n, quantity=r.approved, reason=r.decision)
    for i, qty in enumerate(r.tranches):
        sent = step + timedelta(days=2 + 7 * i)
        tranche = requests.ship(
            _at(ctx, DIRECTORATE_USER, sent, 2),
            request=n,
            qty=qty,
            document=f"470/{n}/Dukcapil/KTP-EL/{i + 1}",
            effective=sent,
        )["shipment"]
        if i >= r.received:
            continue
        arrived = sent + timedelta(days=4)
        last = r.short and i == r.received - 1
        shipments.receive(
            _at(ctx, office, arrived, 3),
            shipment=tranche["id"],
            document=f"BAST/{r.office}/{tranche['id']}",
            missing=_tail(tranche["serials"], r.short) if last else None,
            missing_document=f"BA-KURANG/{r.office}/{tranche['id']}" if last else None,
            effective=arrived,
            office=r.office,
        )
    return n


def _tail(serials: str, qty: int) -> str:
    """The last `qty` serials of a range `KRnnnnnnn-KRnnnnnnn`."""
    last = serials.split(",")[-1].split("-")[-1]
    end = int(last[2:])
    return f"KR{end - qty + 1:07d}-KR{end:07d}"
