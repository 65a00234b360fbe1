"""The resident registry as exported by the civil-registry system (SIAK), and its imports."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, String, Table, and_

from blangko.adapters.tables import metadata

resident = Table(
    "resident",
    metadata,
    Column("nik", String(16), primary_key=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("nama", String(200), nullable=False),
    Column("jenis_kelamin", String(1), nullable=False),  # L | P
    Column("tanggal_lahir", Date, nullable=False),
    Column(
        "status_kawin", String(12), nullable=False
    ),  # BELUM KAWIN, KAWIN, CERAI HIDUP, CERAI MATI
    Column("kode_desa", String(13), nullable=False),  # village of residence, 17.04.01.2001
    Column("kode_kecamatan", String(8), nullable=False),  # derived from kode_desa, for grouping
    Column("tanggal_rekam", Date, nullable=True),  # biometric recording (perekaman)
    Column("tanggal_cetak", Date, nullable=True),  # current card printed
    # Digital ID (IKD) activated, where the registry export carries it (optional column).
    Column("tanggal_ikd", Date, nullable=True),
    Column("status", String(10), nullable=False),  # HIDUP | MENINGGAL | PINDAH
    Column("updated_at", DateTime, nullable=False),
)
Index("ix_resident_office_desa", resident.c.office_code, resident.c.kode_desa)
Index("ix_resident_office_kecamatan", resident.c.office_code, resident.c.kode_kecamatan)
# Coverage reads the registry only for the birth years around an age boundary, and checks
# that no recording is dated after the day asked (services.coverage.areas): both by range.
Index("ix_resident_office_lahir", resident.c.office_code, resident.c.tanggal_lahir)
Index("ix_resident_office_rekam", resident.c.office_code, resident.c.tanggal_rekam)
# The registry's print backlog (recorded, no card) and the forecast's print history are read
# in two index range scans (repos.coverage.card_scans), never over the whole registry: the
# recorded residents never printed (a few percent of a real registry; a partial index), and
# the residents by the date of their card. The partial index leads with tanggal_cetak (always
# NULL in it) so that SQLite's planner, which has no statistics, counts one more equality on
# it than on the recording-date index with the same range, and takes it.
UNPRINTED = and_(resident.c.tanggal_rekam.is_not(None), resident.c.tanggal_cetak.is_(None))
Index(
    "ix_resident_unprinted",
    resident.c.office_code,
    resident.c.tanggal_cetak,
    resident.c.tanggal_rekam,
    sqlite_where=UNPRINTED,
    postgresql_where=UNPRINTED,
)
Index("ix_resident_office_cetak", resident.c.office_code, resident.c.tanggal_cetak)
# The same residents by village: a page of the print-backlog list reads only its villages'.
Index(
    "ix_resident_unprinted_desa",
    resident.c.office_code,
    resident.c.kode_desa,
    resident.c.tanggal_cetak,
    resident.c.tanggal_rekam,
    sqlite_where=UNPRINTED,
    postgresql_where=UNPRINTED,
)

# One row per registry import that was swapped in, written in the swap's own transaction (a
# failed import leaves none): what the office's registry is as of when, and what it changed.
registry_import = Table(
    "registry_import",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("office_code", String(5), ForeignKey("office.code"), nullable=False),
    Column("imported_at", DateTime, nullable=False),  # naive UTC, as every stored moment
    Column("file_name", String(255), nullable=False),  # the name only, not the path
    Column("actor", String(100), nullable=False),
    Column("rows", Integer, nullable=False),  # data rows read
    Column("imported", Integer, nullable=False),  # NIKs not in the registry before
    Column("updated", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("warned", Integer, nullable=False),  # imported with a retired region code on the NIK
    # What changed, against the registry before the swap (services.registry.RegistryChanges).
    Column("new_local", Integer, nullable=False),
    Column("moved_in", Integer, nullable=False),
    Column("returned", Integer, nullable=False),
    Column("recorded", Integer, nullable=False),
    Column("printed", Integer, nullable=False),
    Column("died", Integer, nullable=False),
    Column("moved_out", Integer, nullable=False),
)
Index("ix_registry_import_office_at", registry_import.c.office_code, registry_import.c.imported_at)
