"""The resident registry: importing the civil-registry export (imports.py, row checks in
rows.py), how old the office's registry is (age.py), and the look-ups of one resident and a
NIK (lookup.py). Callers use the names re-exported here."""

from blangko.services.registry.age import import_history, registry_age
from blangko.services.registry.imports import (
    ProgressFn,
    default_rejects_path,
    default_warnings_path,
    import_residents,
    record_load,
    run_stamp,
    write_records,
)
from blangko.services.registry.lookup import check_nik, read_resident, show_resident
from blangko.services.registry.results import (
    ImportHistory,
    ImportRecord,
    ImportSummary,
    NamedCode,
    NikInvalid,
    NikParts,
    RegistryAge,
    RegistryChanges,
    Resident,
    ResidentRecord,
)
from blangko.services.registry.rows import RowRejected, RowRules

__all__ = [
    "ImportHistory",
    "ImportRecord",
    "ImportSummary",
    "NamedCode",
    "NikInvalid",
    "NikParts",
    "ProgressFn",
    "RegistryAge",
    "RegistryChanges",
    "Resident",
    "ResidentRecord",
    "RowRejected",
    "RowRules",
    "check_nik",
    "default_rejects_path",
    "default_warnings_path",
    "import_history",
    "import_residents",
    "read_resident",
    "record_load",
    "registry_age",
    "run_stamp",
    "show_resident",
    "write_records",
]
