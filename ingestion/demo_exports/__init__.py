"""Demo export generator: a deterministic simulation of a B2B company's marketing and
sales, written as the daily export files the pipeline ingests (see README.md)."""

from .catalog import TAIL_DAYS
from .exporter import (
    MANIFEST_NAME,
    DemoExportsError,
    Summary,
    generate,
    generate_next_day,
    read_manifest,
)

__all__ = [
    "MANIFEST_NAME",
    "TAIL_DAYS",
    "DemoExportsError",
    "Summary",
    "generate",
    "generate_next_day",
    "read_manifest",
]
