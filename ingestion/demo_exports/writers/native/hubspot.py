"""HubSpot in the shapes its APIs return, flattened to CSV.

- ``contacts.csv``: CRM v3 ``GET /crm/v3/objects/contacts?properties=...``: ``id``, the
  requested properties under their internal names, ``createdAt``, ``updatedAt``,
  ``archived``; ISO 8601 with ``Z``.
- ``form_submissions.csv``: the Forms API (``GET /form-integrations/v1/submissions/forms/
  {formGuid}``) per form: ``formGuid`` and the form's ``formName``, ``conversionId``,
  ``submittedAt`` (epoch ms), ``pageUrl``, then one column per submitted field: the
  visible ones (``email``, ``firstname``, ``lastname``, ``company``) and the hidden
  fields the demo org's forms carry (``google_analytics_client_id``, ``utm_*``). No
  contact id, no "form type".
- ``email_events.csv``: the Email Events API: ``id``, ``created`` (epoch ms), ``type``,
  ``recipient``, ``emailCampaignId``, ``portalId``, ``appId``, ``appName``, ``sentBy.id``,
  ``sentBy.created``, ``url`` on clicks. No contact id and no campaign; an unsubscribe
  is a ``STATUSCHANGE``.
- ``campaigns.csv``: the Marketing Campaigns API v3: ``id``, ``createdAt``, ``updatedAt``
  and the ``hs_*`` properties. No Salesforce campaign id, type or channel.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...arrays import arrow, choose, constant, int_strings, join, pick
from ...simulation import catalog as cat
from ...simulation.clock import DAY
from ...simulation.marketing import EMAIL_TYPES, UNSUBSCRIBED
from ...simulation.world import World
from .. import hubspot
from ..formats import Formats
from ..tables import Window, table, versions
from ..vendor_ids import VendorIds, uuids

PORTAL_ID = "24681357"
# The demo org's hidden form field that carries GA4's client id (its mapping names it).
GA_CLIENT_ID_FIELD = "google_analytics_client_id"

FORM_SUBMISSION_COLUMNS = (
    "formGuid",
    "formName",
    "conversionId",
    "submittedAt",
    "pageUrl",
    "email",
    "firstname",
    "lastname",
    "company",
    GA_CLIENT_ID_FIELD,
    "utm_source",
    "utm_medium",
    "utm_campaign",
)
EMAIL_EVENT_COLUMNS = (
    "id",
    "created",
    "type",
    "recipient",
    "emailCampaignId",
    "portalId",
    "appId",
    "appName",
    "sentBy.id",
    "sentBy.created",
    "url",
)
CAMPAIGN_COLUMNS = (
    "id",
    "createdAt",
    "updatedAt",
    "hs_name",
    "hs_campaign_status",
    "hs_start_date",
    "hs_end_date",
    "hs_notes",
    "hs_currency_code",
    "hs_utm",
    "hs_budget_items_sum_amount",
    "hs_spend_items_sum_amount",
)


def build(world: World, window: Window, ids: VendorIds, fmt: Formats) -> dict[str, pa.Table]:
    return {
        "contacts": contacts(world, window, ids, fmt),
        "form_submissions": form_submissions(world, window, ids, fmt),
        "email_events": email_events(world, window, ids, fmt),
        "campaigns": campaigns(world, window, ids, fmt),
    }


def contacts(world: World, window: Window, ids: VendorIds, fmt: Formats) -> pa.Table:
    """The contract's contact versions as the v3 API lists them."""
    versions_ = hubspot.contacts(world, window, ids, fmt)
    properties = [name for name in versions_.column_names if name != "_day"]
    n = versions_.num_rows
    return pa.Table.from_arrays(
        [
            pc.cast(versions_["hs_object_id"], pa.string()),
            *(versions_[name] for name in properties),
            versions_["createdate"],
            versions_["lastmodifieddate"],
            constant("false", n),
            versions_["_day"],
        ],
        names=["id", *properties, "createdAt", "updatedAt", "archived", "_day"],
    )


def form_submissions(world: World, window: Window, ids: VendorIds, fmt: Formats) -> pa.Table:
    records, submitted_at, key = hubspot.form_submission_columns(world, window, ids, fmt)
    forms, people, companies = world.forms, world.people, world.companies
    rows = np.flatnonzero(window.contains(forms.submitted_at // DAY))
    person = forms.person[rows]
    columns = {
        "formGuid": records["form_id"],
        "formName": records["form_name"],
        "conversionId": records["conversion_id"],
        "submittedAt": fmt.epoch_ms_text(submitted_at),
        "pageUrl": records["page_url"],
        "email": records["email"],
        "firstname": pick(cat.FIRST_NAMES, people.first_name[person]),
        "lastname": pick(cat.LAST_NAMES, people.last_name[person]),
        "company": companies.name.take(arrow(people.company[person])),
        GA_CLIENT_ID_FIELD: records["ga_client_id"],
        "utm_source": records["utm_source"],
        "utm_medium": records["utm_medium"],
        "utm_campaign": records["utm_campaign"],
    }
    return table(columns, FORM_SUBMISSION_COLUMNS, submitted_at, key)


def email_events(world: World, window: Window, ids: VendorIds, fmt: Formats) -> pa.Table:
    records, created, key = hubspot.email_event_columns(world, window, ids, fmt)
    emails, sends = world.emails, world.sends
    rows = np.flatnonzero(window.contains(emails.created // DAY))
    kind, send = emails.type[rows], emails.send[rows]
    types = [*EMAIL_TYPES]
    types[UNSUBSCRIBED] = "STATUSCHANGE"  # the API's event for a subscription change
    sent_at = sends.send_at[send]
    columns = {
        "id": uuids(world.dice.hash("email/api_id", key), world.dice.hash("email/api_id2", key)),
        "created": fmt.epoch_ms_text(created),
        "type": pick(types, kind),
        "recipient": records["recipient"],
        "emailCampaignId": records["email_campaign_id"],
        "portalId": constant(PORTAL_ID, len(rows)),
        "appId": constant("113", len(rows)),
        "appName": constant("Batch", len(rows)),
        "sentBy.id": uuids(
            world.dice.hash("email/sent_by", send), world.dice.hash("email/sent_by2", send)
        ),
        "sentBy.created": fmt.epoch_ms_text(sent_at),
        "url": records["url"],
    }
    return table(
        columns,
        EMAIL_EVENT_COLUMNS,
        created,
        key,
        (world.dice, "email/dup_row", hubspot.EXACT_DUPLICATE_ROW_SHARE),
    )


def campaigns(world: World, window: Window, ids: VendorIds, fmt: Formats) -> pa.Table:
    campaigns_ = world.campaigns
    marketing = np.flatnonzero(campaigns_.in_marketing)
    row, modified = versions(
        [campaigns_.created_at[marketing], campaigns_.completed_at[marketing]], window
    )
    c = marketing[row]
    completed = campaigns_.completed_at[c] <= modified
    has_content = np.array([campaigns_.content_name[i] is not None for i in c], bool)
    columns = {
        "id": ids.hubspot_campaign.take(arrow(c)),
        "createdAt": fmt.hubspot(campaigns_.created_at[c]),
        "updatedAt": fmt.hubspot(modified),
        "hs_name": pick(campaigns_.name, c),
        "hs_campaign_status": choose(completed, "completed", "in_progress"),
        "hs_start_date": fmt.iso_date(campaigns_.start_day[c] * DAY),
        "hs_end_date": fmt.iso_date(campaigns_.end_day[c] * DAY),
        "hs_notes": join(
            "Promotes: ", pick([x or "" for x in campaigns_.content_name], c, ~has_content)
        ),
        "hs_currency_code": constant("USD", len(c)),
        "hs_utm": pick(campaigns_.utm_campaign, c),
        "hs_budget_items_sum_amount": int_strings(np.round(campaigns_.budget[c]).astype(np.int64)),
        "hs_spend_items_sum_amount": int_strings(
            np.round(np.where(completed, campaigns_.actual_cost[c], 0)).astype(np.int64),
            ~completed,
        ),
    }
    return table(columns, CAMPAIGN_COLUMNS, modified, campaigns_.key[c])
