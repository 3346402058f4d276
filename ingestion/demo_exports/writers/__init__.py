"""Writers: the simulated world as each vendor's export tables, in one of two shapes.

- ``vendor``: what the tools really export (see ``native/``): a default Salesforce org's
  Data Loader files (standard fields only, upper-case API names, ``LeadHistory``), HubSpot's
  CRM v3, Email Events and Forms API shapes (epoch milliseconds where HubSpot writes them),
  GA4's BigQuery export as ``bq extract`` writes it (null fields left out, consent-mode
  pings). Read with ``mappings/vendor.yml``.
- ``contract``: the contract's own column names (``ingestion/exports.py``), with the
  custom fields an aligned org adds (``MQL_Date__c``, ``Accepted_Date__c`` ...). Read with
  ``mappings/contract.yml``.

Each builder returns, per contract table, an Arrow table with a ``_day`` column (the
export day folder it is written to), sorted by it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from ..simulation.world import World
from . import ga4, hubspot, salesforce
from .formats import Formats
from .native import ga4 as native_ga4
from .native import hubspot as native_hubspot
from .native import salesforce as native_salesforce
from .tables import Window
from .vendor_ids import VendorIds

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "mappings"

Builder = Callable[[World, Window, VendorIds, Formats], dict[str, pa.Table]]


@dataclass(frozen=True)
class Shape:
    """One way of writing the exports: a builder per system and the mapping that reads them."""

    name: str
    builders: dict[str, Builder]
    quote_every_csv_value: frozenset[str] = field(default_factory=frozenset)  # systems
    omit_json_nulls: bool = False  # as `bq extract` does, instead of writing `null`

    @property
    def mapping_path(self) -> Path:
        """The example source mapping that reads this shape (one file per shape)."""
        return MAPPINGS_DIR / f"{self.name}.yml"


CONTRACT = Shape(
    name="contract",
    builders={
        "marketing_automation": hubspot.build,
        "crm": salesforce.build,
        "web_analytics": ga4.build,
    },
)

VENDOR = Shape(
    name="vendor",
    builders={
        "marketing_automation": native_hubspot.build,
        "crm": native_salesforce.build,
        "web_analytics": native_ga4.build,
    },
    quote_every_csv_value=frozenset({"crm"}),  # Data Loader quotes every value
    omit_json_nulls=True,
)

SHAPES: dict[str, Shape] = {shape.name: shape for shape in (VENDOR, CONTRACT)}
DEFAULT_SHAPE = VENDOR.name


def build(
    shape: Shape, system_name: str, world: World, window: Window, ids: VendorIds, fmt: Formats
) -> dict[str, pa.Table]:
    return shape.builders[system_name](world, window, ids, fmt)
