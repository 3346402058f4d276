"""Web-analytics exports (GA4 BigQuery-export style): one event per row, nested params."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..arrays import arrow, constant, int_strings, join, pick, with_nulls
from ..simulation import catalog as cat
from ..simulation.marketing import PAGES
from ..simulation.web import (
    DEVICES,
    EVENT_NAMES,
    PAID_GOOGLE,
    SAME_MOMENT_ORDER,
    SESSION_START,
    TRAFFIC,
)
from ..simulation.world import World
from .formats import Formats
from .tables import Window
from .vendor_ids import VendorIds, hex_strings

PARAM_KEYS = (
    "ga_session_id",
    "ga_session_number",
    "page_location",
    "page_title",
    "page_referrer",
    "engagement_time_msec",
    "form_id",
    "campaign",
    "source",
    "medium",
)
INT_KEYS = {"ga_session_id", "ga_session_number", "engagement_time_msec"}
# Which params each event carries (by EVENT_NAMES order).
_COMMON = {"ga_session_id", "ga_session_number", "page_location", "page_title"}
EVENT_PARAMS = (
    _COMMON,
    _COMMON | {"page_referrer", "campaign", "source", "medium"},
    _COMMON | {"page_referrer"},
    _COMMON | {"engagement_time_msec"},
    _COMMON | {"engagement_time_msec"},
    _COMMON | {"form_id"},
    _COMMON | {"form_id"},
    _COMMON | {"form_id"},
    _COMMON | {"form_id"},
)


def build(world: World, window: Window, ids: VendorIds, fmt: Formats) -> dict[str, pa.Table]:
    return {"events": events_table(world, window, ids, fmt)}


CONSENT_DENIED_SHARE = 0.25  # of the anonymous browsers (consent mode: cookieless pings)


def consent_denied(world: World, client: np.ndarray, person: np.ndarray) -> np.ndarray:
    """Browsers whose visitor declined analytics cookies: GA4's consent mode sends their
    hits as cookieless pings. Only anonymous visitors (never a person) decline here, so no
    person's browsing is lost."""
    declined = world.dice.bernoulli("web/consent_denied", CONSENT_DENIED_SHARE, client)
    return (person < 0) & declined


def events_table(
    world: World, window: Window, ids: VendorIds, fmt: Formats, consent_mode: bool = False
) -> pa.Table:
    """All events of the window's files, with `_day` = the file they arrive in.

    With `consent_mode`, the hits of browsers that declined consent are cookieless pings:
    no user_pseudo_id, no ga_session_id / ga_session_number, no first touch.
    """
    web_events, sessions, people = world.web_events, world.sessions, world.people
    browsers = ids.browsers
    rows = np.flatnonzero(window.contains(web_events.file_day))
    session, name, when = web_events.session[rows], web_events.name[rows], web_events.at[rows]
    client = sessions.client[session]
    client_row = browsers.row(client)
    person = sessions.person[session]
    known = person >= 0
    p = np.maximum(person, 0)
    # GA4 user_id: set by the site for people it recognises, after their first form.
    hs_number = ids.hubspot_contact
    identified = (
        known
        & people.tracks_user_id[p]
        & (client % 2 == 0)
        & (people.first_form[p] >= 0)
        & (sessions.start[session] > people.created_at[p])
    )
    page_urls = [cat.SITE + path for path, _ in PAGES]
    traffic = sessions.traffic[session]
    campaign = sessions.campaign[session]
    has_utm = np.array([t[4] for t in TRAFFIC])[traffic] & (campaign >= 0)
    utm_name = pick(world.campaigns.utm_campaign, np.maximum(campaign, 0))
    label = pick([t[2] for t in TRAFFIC], traffic)
    campaign_label = pc.if_else(arrow(has_utm), utm_name, label)
    source = pick([t[0] for t in TRAFFIC], traffic)
    medium = pick([t[1] for t in TRAFFIC], traffic)

    # Landing URLs carry the utm parameters; referrers are external on the landing page.
    plain = pick(page_urls, web_events.page[rows])
    tagged = join(plain, "?utm_source=", source, "&utm_medium=", medium, "&utm_campaign=", utm_name)
    location = pc.if_else(arrow(web_events.is_landing[rows] & has_utm), tagged, plain)
    external = [t[3] for t in TRAFFIC]
    has_external = np.array([x is not None for x in external])[traffic]
    referrer = pc.if_else(
        arrow(web_events.previous_page[rows] >= 0),
        pick(page_urls, np.maximum(web_events.previous_page[rows], 0)),
        pick([x or "" for x in external], traffic, ~has_external),
    )
    has_referrer = (web_events.previous_page[rows] >= 0) | has_external

    int_values = {
        "ga_session_id": fmt.unix_seconds(sessions.start[session]),
        "ga_session_number": sessions.number[session],
        "engagement_time_msec": web_events.engagement_msec[rows],
    }
    form_ids = join(
        "hsForm_",
        ids.hubspot_form.take(arrow(world.form_index[np.maximum(sessions.form[session], 0)])),
    )
    string_values = {
        "page_location": location,
        "page_title": pick([title for _, title in PAGES], web_events.page[rows]),
        "page_referrer": referrer,
        "form_id": form_ids,
        "campaign": campaign_label,
        "source": source,
        "medium": medium,
    }
    has = np.zeros((len(rows), len(PARAM_KEYS)), bool)
    for k, key in enumerate(PARAM_KEYS):
        carriers = [i for i, params in enumerate(EVENT_PARAMS) if key in params]
        has[:, k] = np.isin(name, carriers)
    has[:, PARAM_KEYS.index("page_referrer")] &= has_referrer
    denied = consent_denied(world, client, person) if consent_mode else np.zeros(len(rows), bool)
    for cookie_param in ("ga_session_id", "ga_session_number"):
        has[:, PARAM_KEYS.index(cookie_param)] &= ~denied
    params = _event_params(has, int_values, string_values)

    # Device and geo belong to the browser; traffic_source is the browser's first touch.
    device = world.dice.choice("web/device", [d[3] for d in DEVICES], browsers.keys)[client_row]
    country = np.where(
        known,
        world.companies.country[people.company[p]],
        world.dice.choice("web/anon_country", cat.COUNTRY_WEIGHTS, client),
    )
    place = world.dice.integers("web/place", 3, client)
    regions = [r for country_regions in cat.REGIONS for r in country_regions]
    first_session = np.searchsorted(sessions.client, client)  # the browser's first session
    first_traffic = sessions.traffic[first_session]
    first_campaign = sessions.campaign[first_session]
    first_utm = np.array([t[4] for t in TRAFFIC])[first_traffic] & (first_campaign >= 0)
    collected = (name == SESSION_START) & has_utm
    paid = np.flatnonzero(collected & (traffic == PAID_GOOGLE))
    gclid = np.full(len(rows), -1)
    gclid[paid] = np.arange(len(paid))
    gclid_text = join(
        "Cj0KCQ", hex_strings(world.dice.hash("web/gclid", sessions.key[session[paid]]))
    )
    gclid_column = (
        with_nulls(gclid_text.take(arrow(np.maximum(gclid, 0))), gclid < 0)
        if len(paid)
        else pa.nulls(len(rows), pa.string())
    )

    columns = {
        "event_date": fmt.compact_date(when),
        # Random microseconds, but events of a session in the same millisecond keep their
        # order (session_start first, form events after the page_view).
        "event_timestamp": int_strings(
            fmt.unix_micros(when)
            + 100 * SAME_MOMENT_ORDER[name]
            + world.dice.integers("web/micros", 100, sessions.key[session], name)
        ),
        "event_name": pick(EVENT_NAMES, name),
        "event_params": params,
        "user_id": int_strings(hs_number[p], ~identified),
        "user_pseudo_id": with_nulls(browsers.pseudo_ids.take(arrow(client_row)), denied),
        "user_first_touch_timestamp": int_strings(
            fmt.unix_micros(browsers.first_visit[client_row]), denied if consent_mode else None
        ),
        "device": _struct(
            [
                pick([d[0] for d in DEVICES], device),
                pick([d[1] for d in DEVICES], device),
                _struct([pick([d[2] for d in DEVICES], device)], ["browser"]),
            ],
            ["category", "operating_system", "web_info"],
        ),
        "geo": _struct(
            [
                pick(cat.COUNTRIES, country),
                pick([r[0] for r in regions], country * 3 + place),
                pick([r[1] for r in regions], country * 3 + place),
            ],
            ["country", "region", "city"],
        ),
        "traffic_source": _struct(
            [
                pc.if_else(
                    arrow(first_utm),
                    pick(world.campaigns.utm_campaign, np.maximum(first_campaign, 0)),
                    pick([t[2] for t in TRAFFIC], first_traffic),
                ),
                pick([t[1] for t in TRAFFIC], first_traffic),
                pick([t[0] for t in TRAFFIC], first_traffic),
            ],
            ["name", "medium", "source"],
            mask=arrow(denied) if consent_mode else None,
        ),
        "stream_id": constant(cat.STREAM_ID, len(rows)),
        "platform": constant("WEB", len(rows)),
        "collected_traffic_source": _struct(
            [source, medium, utm_name, gclid_column],
            ["manual_source", "manual_medium", "manual_campaign_name", "gclid"],
            mask=arrow(~collected),
        ),
    }
    events = pa.Table.from_arrays(list(columns.values()), names=list(columns))
    return events.append_column("_day", arrow(web_events.file_day[rows].astype(np.int32)))


def _struct(arrays: list, names: list[str], mask: pa.Array | None = None) -> pa.StructArray:
    """A struct column; large results of some kernels come back chunked."""
    arrays = [a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a for a in arrays]
    return pa.StructArray.from_arrays(arrays, names, mask=mask)


def _event_params(has: np.ndarray, int_values: dict, string_values: dict) -> pa.Array:
    """list<struct<key, value<string_value, int_value, double_value>>> from a
    (event x key) presence matrix, without a per-row loop."""
    event, key = np.nonzero(has)  # row-major: grouped by event, keys in PARAM_KEYS order
    offsets = np.r_[0, np.cumsum(has.sum(axis=1))].astype(np.int32)
    string_parts, int_parts, positions = [], [], []
    for k, name in enumerate(PARAM_KEYS):
        rows = np.flatnonzero(key == k)
        positions.append(rows)
        carriers = arrow(event[rows])
        if name in INT_KEYS:
            int_parts.append(int_strings(int_values[name][event[rows]]))
            string_parts.append(pa.nulls(len(rows), pa.string()))
        else:
            string_parts.append(string_values[name].take(carriers))
            int_parts.append(pa.nulls(len(rows), pa.string()))
    # Reorder the per-key pieces back to event-major order.
    inverse = np.empty(len(event), np.int64)
    inverse[np.concatenate(positions)] = np.arange(len(event))
    back = arrow(inverse)
    string_value = pa.concat_arrays(string_parts).take(back)
    int_value = pa.concat_arrays(int_parts).take(back)
    value = _struct(
        [string_value, int_value, pa.nulls(len(event), pa.float64())],
        ["string_value", "int_value", "double_value"],
    )
    param = _struct([pick(PARAM_KEYS, key), value], ["key", "value"])
    return pa.ListArray.from_arrays(arrow(offsets), param)
