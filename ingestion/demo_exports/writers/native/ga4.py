"""GA4 as the BigQuery export holds it and ``bq extract`` writes it: consent-mode pings,
``privacy_info``, ``is_active_user`` and the batch fields (null fields are left out when
the file is written)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from ...arrays import arrow, choose, constant, flat
from ...simulation.world import World
from .. import ga4
from ..formats import Formats
from ..tables import Window
from ..vendor_ids import VendorIds

# The BigQuery export's column order.
COLUMN_ORDER = (
    "event_date",
    "event_timestamp",
    "event_name",
    "event_params",
    "user_id",
    "user_pseudo_id",
    "privacy_info",
    "user_first_touch_timestamp",
    "device",
    "geo",
    "traffic_source",
    "stream_id",
    "platform",
    "collected_traffic_source",
    "is_active_user",
    "batch_event_index",
    "batch_page_id",
    "batch_ordering_id",
    "_day",
)


def build(world: World, window: Window, ids: VendorIds, fmt: Formats) -> dict[str, pa.Table]:
    return {"events": events_table(world, window, ids, fmt)}


def events_table(world: World, window: Window, ids: VendorIds, fmt: Formats) -> pa.Table:
    events = ga4.events_table(world, window, ids, fmt, consent_mode=True)
    n = events.num_rows
    denied = flat(pc.is_null(events["user_pseudo_id"])).to_numpy(zero_copy_only=False)
    storage = choose(denied, "No", "Yes")
    privacy = pa.StructArray.from_arrays(
        [storage, storage, constant("No", n)],
        ["analytics_storage", "ads_storage", "uses_transient_token"],
    )
    # Each hit is its own request here: index 0 of request 1 of its page load.
    micros = pc.cast(flat(events["event_timestamp"]), pa.int64())
    page_load_ms = pc.cast(pc.divide(micros, 1000), pa.string())
    columns = {
        "privacy_info": privacy,
        "is_active_user": arrow(~denied),
        "batch_event_index": constant("0", n),
        "batch_page_id": page_load_ms,
        "batch_ordering_id": constant("1", n),
    }
    for name, values in columns.items():
        events = events.append_column(name, values)
    return events.select(list(COLUMN_ORDER))
