"""blangko: the e-KTP blank-card ledger and service of a Dinas Dukcapil."""

__version__ = "0.1.0"
