"""Demo export generator: a deterministic simulation of a B2B company's marketing and
sales, written as the daily export files the pipeline ingests (see README.md)."""

from .exporter import (
    MANIFEST_NAME,
    DemoExportsError,
    Summary,
    generate,
    generate_next_day,
    read_manifest,
    source_mapping_for,
)
from .simulation.catalog import TAIL_DAYS
from .writers import DEFAULT_SHAPE, SHAPES

__all__ = [
    "DEFAULT_SHAPE",
    "MANIFEST_NAME",
    "SHAPES",
    "TAIL_DAYS",
    "DemoExportsError",
    "Summary",
    "generate",
    "generate_next_day",
    "read_manifest",
    "source_mapping_for",
]
