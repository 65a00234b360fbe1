"""The resident registry as exported by the civil-registry system (SIAK)."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, String, Table

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
    Column("status", String(10), nullable=False),  # HIDUP | MENINGGAL | PINDAH
    Column("updated_at", DateTime, nullable=False),
)
Index("ix_resident_office_desa", resident.c.office_code, resident.c.kode_desa)
Index("ix_resident_office_kecamatan", resident.c.office_code, resident.c.kode_kecamatan)
