"""Marketing-automation exports (HubSpot-style): contacts, form submissions, e-mail
events and campaigns."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...exports import MARKETING_AUTOMATION
from ..arrays import arrow, int_strings, int_values, join, pick, with_nulls
from ..simulation import catalog as cat
from ..simulation.clock import DAY, MINUTE, NEVER, happened, never
from ..simulation.marketing import EMAIL_TYPES, FORM_NAMES, FORM_PAGE, FORM_TYPE_OF_FORM, PAGES
from ..simulation.web import BING, CAPTERRA, G2, TRAFFIC, TWITTER, arrival_traffic
from ..simulation.world import World
from .formats import Formats
from .tables import Window, table, versions
from .vendor_ids import VendorIds, uuids

EXACT_DUPLICATE_ROW_SHARE = 0.004  # rows written twice in a day file


def by_person(world: World, values: np.ndarray, fill=NEVER) -> np.ndarray:
    """A primary-lead column spread onto people (fill where a person has no lead)."""
    leads = world.leads
    primary = ~leads.is_duplicate
    out = np.full(world.people.n, fill, dtype=np.asarray(values).dtype)
    out[leads.person[primary]] = np.asarray(values)[primary]
    return out


def _source_drilldown(world: World):
    """hs_analytics_source and its two drill-down levels, per person: the search engine,
    social network, referring site, campaign, or import file of the first touch."""
    people, campaigns = world.people, world.campaigns
    traffic, campaign = arrival_traffic(world.dice, campaigns, people)
    show = campaigns.active("trade_show", people.created_at)
    fixed = [
        "Unknown keywords (SSL)",
        "google",
        "bing",
        "LinkedIn",
        "Twitter",
        "partner-newsletter",
        "g2.com",
        "capterra.com",
        f"{cat.SITE}/",
        "IMPORT",
        "INTEGRATION",
        "salesforce",
        "https://www.g2.com/",
        "https://www.capterra.com/",
    ]
    code = {text: i for i, text in enumerate(fixed)}
    utm = len(fixed) + np.maximum(campaign, 0)  # then one entry per campaign's utm name
    import_file = len(fixed) + campaigns.n + np.maximum(show, 0)  # then per show's list
    vocab = fixed + list(campaigns.utm_campaign) + [f"{n} attendees.csv" for n in campaigns.name]
    ch = people.channel
    by_campaign = np.isin(ch, (cat.PAID_SEARCH, cat.PAID_SOCIAL, cat.EMAIL))
    data_1 = np.select(
        [
            ch == cat.ORGANIC,
            ch == cat.PAID_SEARCH,
            ch == cat.PAID_SOCIAL,
            ch == cat.SOCIAL,
            ch == cat.EMAIL,
            ch == cat.REFERRAL,
            ch == cat.DIRECT,
            ch == cat.OFFLINE,
        ],
        [
            np.where(traffic == BING, code["bing"], code["google"]),
            code["google"],
            code["LinkedIn"],
            np.where(traffic == TWITTER, code["Twitter"], code["LinkedIn"]),
            code["partner-newsletter"],
            np.where(traffic == G2, code["g2.com"], code["capterra.com"]),
            code[f"{cat.SITE}/"],
            code["IMPORT"],
        ],
        code["INTEGRATION"],
    )
    data_2 = np.select(
        [
            ch == cat.ORGANIC,
            by_campaign & (campaign >= 0),
            ch == cat.REFERRAL,
            (ch == cat.OFFLINE) & (show >= 0),
            ch == cat.OUTBOUND,
        ],
        [
            code["Unknown keywords (SSL)"],
            utm,
            np.where(
                traffic == CAPTERRA, code["https://www.capterra.com/"], code["https://www.g2.com/"]
            ),
            import_file,
            code["salesforce"],
        ],
        -1,
    )
    names = [c.name for c in cat.CHANNELS[:-1]] + ["OFFLINE"]  # outbound syncs as OFFLINE
    return pick(names, ch), pick(vocab, data_1), pick(vocab, np.maximum(data_2, 0), data_2 < 0)


def build(world: World, window: Window, ids: VendorIds, fmt: Formats) -> dict[str, pa.Table]:
    return {
        "contacts": contacts(world, window, ids, fmt),
        "form_submissions": form_submissions(world, window, ids, fmt),
        "email_events": email_events(world, window, ids, fmt),
        "campaigns": campaigns_table(world, window, ids, fmt),
    }


def contacts(world: World, window: Window, ids: VendorIds, fmt: Formats) -> pa.Table:
    people, leads = world.people, world.leads
    hs_id, dup_id = ids.hubspot_contact, ids.hubspot_duplicate_contact
    owners = ids.hubspot_owner

    # The sales side syncs back: owner, lead status and the later lifecycle stages.
    lead_created = by_person(world, leads.created_at)
    first_touch = by_person(world, leads.first_touch_at)
    connected = by_person(world, leads.connected_at)
    accepted = by_person(world, leads.accepted_at)
    rejected = by_person(world, leads.rejected_at)
    reason = by_person(world, leads.rejection_reason, 0)
    qualified = by_person(world, leads.qualified_at)
    disqualified = by_person(world, leads.disqualified_at)
    converted = by_person(world, leads.converted_at)
    sdr = by_person(world, leads.owner, 0)
    account = by_person(world, world.deals.lead_account, -1)
    ae = np.where(account >= 0, world.deals.account_owner[np.maximum(account, 0)], 0)
    owner_at = lead_created + 10 * MINUTE
    sql_at = qualified + 2 * MINUTE
    opportunity_at = converted + 2 * MINUTE
    customer_at = world.deals.won_at_by_person
    stage_dates = [
        people.subscriber_at,
        people.lead_at,
        people.mql_at,
        sql_at,
        opportunity_at,
        customer_at,
    ]

    person, t = versions(
        [
            people.created_at,
            people.lead_at,
            people.mql_at,
            people.score_up_at,
            owner_at,
            first_touch,
            connected,
            accepted,
            rejected,
            sql_at,
            disqualified,
            opportunity_at,
            customer_at,
            people.merged_at,
        ],
        window,
    )
    p = person

    stage = np.full(len(p), 0)
    for k, dates in enumerate(stage_dates):
        stage = np.where(dates[p] <= t, k, stage)
    # hs_lead_status follows the sales steps (they happen in this order for a person).
    code = {name: i for i, name in enumerate(cat.HS_LEAD_STATUSES)}
    rejected_back = -2
    status = np.full(len(p), -1)  # no status for mere subscribers
    for dates, value in (
        (people.lead_at, code["NEW"]),
        (people.mql_at, code["OPEN"]),
        (first_touch, code["ATTEMPTED_TO_CONTACT"]),
        (connected, code["CONNECTED"]),
        (accepted, code["IN_PROGRESS"]),
        (rejected, rejected_back),
        (qualified, code["IN_PROGRESS"]),
        (disqualified, code["UNQUALIFIED"]),
        (converted, code["OPEN_DEAL"]),
    ):
        status = np.where(dates[p] <= t, value, status)
    no_budget_or_timing = np.isin(reason[p], (0, 1))  # REJECTION_REASONS[:2]
    status = np.where(
        status == rejected_back,
        np.where(no_budget_or_timing, code["BAD_TIMING"], code["UNQUALIFIED"]),
        status,
    )
    score = np.where(people.lead_at[p] <= t, people.score_lead[p], people.score_created[p])
    score = np.where(people.lead_at[p] == people.created_at[p], people.score_created[p], score)
    score = np.where(people.score_up_at[p] <= t, people.score_up[p], score)
    owner = np.where(converted[p] <= t, owners[ae[p]], owners[sdr[p]])
    has_owner = owner_at[p] <= t
    merged = people.merged_at[p] <= t

    source, data_1, data_2 = _source_drilldown(world)
    company = world.companies
    take = arrow(p)
    c = people.company
    columns = {
        "hs_object_id": hs_id[p],
        "email": people.email.take(take),
        "firstname": pick(cat.FIRST_NAMES, people.first_name[p]),
        "lastname": pick(cat.LAST_NAMES, people.last_name[p]),
        "jobtitle": pick(
            cat.JOB_TITLES, people.title[p], world.dice.bernoulli("contact/no_title", 0.08, p)
        ),
        "lifecyclestage": pick(cat.LIFECYCLE_STAGES, stage),
        "hs_lead_status": pick(cat.HS_LEAD_STATUSES, np.maximum(status, 0), status < 0),
        "hubspotscore": score,
        "hs_analytics_source": source.take(take),
        "hs_analytics_source_data_1": data_1.take(take),
        "hs_analytics_source_data_2": data_2.take(take),
        "company": company.name.take(arrow(c[p])),
        "numemployees": int_strings(company.employees[c[p]]),
        "industry": pick(cat.INDUSTRIES, company.industry[c[p]]),
        "country": pick(cat.COUNTRIES, company.country[c[p]]),
        "hubspot_owner_id": int_strings(owner, ~has_owner),
        "hs_merged_object_ids": int_strings(dup_id[p], ~merged),
        "createdate": fmt.hubspot(people.created_at[p]),
        "lastmodifieddate": fmt.hubspot(t),
    }
    for name, dates in zip(
        (
            "subscriber",
            "lead",
            "marketingqualifiedlead",
            "salesqualifiedlead",
            "opportunity",
            "customer",
        ),
        stage_dates,
        strict=True,
    ):
        columns[f"hs_lifecyclestage_{name}_date"] = fmt.hubspot(
            np.where(dates[p] <= t, dates[p], NEVER)
        )
    required = _export_columns("contacts")
    primary = table(
        columns, required, t, hs_id[p], (world.dice, "contact/dup_row", EXACT_DUPLICATE_ROW_SHARE)
    )

    # The duplicate contacts: created once (a webinar or content form with the other
    # address), then merged away; their last version stays in the earlier files.
    d = np.flatnonzero(
        happened(people.duplicate_created_at) & window.contains(people.duplicate_created_at // DAY)
    )
    duplicate_created = people.duplicate_created_at[d]
    take = arrow(d)
    dup_columns = {
        "hs_object_id": dup_id[d],
        "email": people.alt_email.take(take),
        "firstname": pick(cat.FIRST_NAMES, people.first_name[d]),
        "lastname": pick(cat.LAST_NAMES, people.last_name[d]),
        "jobtitle": pick(cat.JOB_TITLES, people.title[d], np.ones(len(d), bool)),
        "lifecyclestage": pick(cat.LIFECYCLE_STAGES, np.ones(len(d), np.int64)),
        "hs_lead_status": pick(cat.HS_LEAD_STATUSES, np.zeros(len(d), np.int64)),
        "hubspotscore": 5 + world.dice.integers("contact/dup_score", 16, d),
        "hs_analytics_source": source.take(take),
        "hs_analytics_source_data_1": data_1.take(take),
        "hs_analytics_source_data_2": data_2.take(take),
        "company": company.name.take(arrow(c[d])),
        "numemployees": int_strings(company.employees[c[d]], np.ones(len(d), bool)),
        "industry": pick(cat.INDUSTRIES, company.industry[c[d]], np.ones(len(d), bool)),
        "country": pick(cat.COUNTRIES, company.country[c[d]]),
        "hubspot_owner_id": int_strings(np.zeros(len(d)), np.ones(len(d), bool)),
        "hs_merged_object_ids": int_strings(np.zeros(len(d)), np.ones(len(d), bool)),
        "createdate": fmt.hubspot(duplicate_created),
        "lastmodifieddate": fmt.hubspot(duplicate_created),
        "hs_lifecyclestage_lead_date": fmt.hubspot(duplicate_created),
    }
    for name in (
        "subscriber",
        "marketingqualifiedlead",
        "salesqualifiedlead",
        "opportunity",
        "customer",
    ):
        dup_columns[f"hs_lifecyclestage_{name}_date"] = fmt.hubspot(never(len(d)))
    duplicates = table(dup_columns, required, duplicate_created, dup_id[d])
    return _merge_sorted(primary, duplicates)


def _merge_sorted(*tables: pa.Table) -> pa.Table:
    """Concatenate and re-sort by export day (stable, so each day keeps its order)."""
    combined = pa.concat_tables(tables)
    order = np.argsort(int_values(combined["_day"]), kind="stable")
    return combined.take(arrow(order))


def _export_columns(name: str) -> tuple[str, ...]:
    return MARKETING_AUTOMATION.table(name).column_names


def form_submissions(world: World, window: Window, ids: VendorIds, fmt: Formats) -> pa.Table:
    columns, submitted_at, key = form_submission_columns(world, window, ids, fmt)
    return table(columns, _export_columns("form_submissions"), submitted_at, key)


def form_submission_columns(
    world: World, window: Window, ids: VendorIds, fmt: Formats
) -> tuple[dict[str, pa.Array | np.ndarray], np.ndarray, np.ndarray]:
    """The submissions of the window's days: (columns by contract name, submission time,
    row key)."""
    forms, people, sessions = world.forms, world.people, world.sessions
    f = np.flatnonzero(window.contains(forms.submitted_at // DAY))
    person, slot = forms.person[f], forms.slot[f]
    key = person * 16 + slot
    hs_id, dup_id = ids.hubspot_contact, ids.hubspot_duplicate_contact
    contact = np.where(forms.on_duplicate[f], dup_id[person], hs_id[person])
    address = pc.if_else(
        arrow(forms.on_duplicate[f]),
        people.alt_email.take(arrow(person)),
        people.email.take(arrow(person)),
    )
    typed_title_case = world.dice.bernoulli("form/email_case", 0.2, key)
    address = pc.if_else(arrow(typed_title_case), pc.utf8_title(address), address)
    form = world.form_index[f]

    # The session the form was submitted in says where the visit came from.
    with_form = np.flatnonzero(sessions.form >= 0)
    session_of_form = np.full(forms.n, -1)
    session_of_form[sessions.form[with_form]] = with_form
    form_session = session_of_form[f]
    traffic = sessions.traffic[form_session]
    campaign = sessions.campaign[form_session]
    has_utm = np.array([t[4] for t in TRAFFIC])[traffic] & (campaign >= 0)
    client = person * 2 + world.form_browser[f]
    columns = {
        "conversion_id": uuids(world.dice.hash("form/id", key), world.dice.hash("form/id2", key)),
        "contact_id": contact,
        "email": address,
        "form_id": ids.hubspot_form.take(arrow(form)),
        "form_name": pick(FORM_NAMES, form),
        "form_type": pick(cat.FORM_TYPES, FORM_TYPE_OF_FORM[form]),
        "page_url": pick([cat.SITE + path for path, _ in PAGES], FORM_PAGE[form]),
        "ga_client_id": ids.browsers.pseudo_ids.take(arrow(ids.browsers.row(client))),
        "utm_source": pick([t[0] for t in TRAFFIC], traffic, ~has_utm),
        "utm_medium": pick([t[1] for t in TRAFFIC], traffic, ~has_utm),
        "utm_campaign": pick(world.campaigns.utm_campaign, np.maximum(campaign, 0), ~has_utm),
        "submitted_at": fmt.hubspot(forms.submitted_at[f]),
    }
    return columns, forms.submitted_at[f], key


def email_events(world: World, window: Window, ids: VendorIds, fmt: Formats) -> pa.Table:
    columns, created, key = email_event_columns(world, window, ids, fmt)
    return table(
        columns,
        _export_columns("email_events"),
        created,
        key,
        (world.dice, "email/dup_row", EXACT_DUPLICATE_ROW_SHARE),
    )


def email_event_columns(
    world: World, window: Window, ids: VendorIds, fmt: Formats
) -> tuple[dict[str, pa.Array | np.ndarray], np.ndarray, np.ndarray]:
    """The e-mail events of the window's days: (columns by contract name, event time, row
    key)."""
    emails, sends, people, campaigns = world.emails, world.sends, world.people, world.campaigns
    rows = np.flatnonzero(window.contains(emails.created // DAY))
    person, send, kind = emails.person[rows], emails.send[rows], emails.type[rows]
    campaign = sends.campaign[send]
    hs_id = ids.hubspot_contact
    click_url = join(
        pick([cat.SITE + path for path, _ in PAGES], campaigns.asset_page[campaign]),
        "?utm_source=hubspot&utm_medium=email&utm_campaign=",
        pick(campaigns.utm_campaign, campaign),
    )
    key = emails.key[rows]
    columns = {
        "event_id": int_strings(
            (world.dice.hash("email/event_id", key) >> np.uint64(12)).astype(np.int64)
        ),
        "email_campaign_id": sends.email_campaign_id[send],
        "campaign_id": ids.hubspot_campaign.take(arrow(campaign)),
        "contact_id": hs_id[person],
        "recipient": people.email.take(arrow(person)),
        "type": pick(EMAIL_TYPES, kind),
        "url": with_nulls(click_url, kind != 3),
        "created": fmt.hubspot(emails.created[rows]),
    }
    return columns, emails.created[rows], key


def campaigns_table(world: World, window: Window, ids: VendorIds, fmt: Formats) -> pa.Table:
    c = world.campaigns
    rows = np.flatnonzero(c.in_marketing)
    row, t = versions([c.created_at[rows], c.completed_at[rows]], window)
    r = rows[row]
    kind_spec = list(cat.CAMPAIGN_KINDS.values())
    columns = {
        "campaign_id": ids.hubspot_campaign.take(arrow(r)),
        "name": pick(c.name, r),
        "type": pick([spec[2] for spec in kind_spec], c.kind[r]),
        "channel": pick([spec[3] for spec in kind_spec], c.kind[r]),
        "content_name": pick(
            [x or "" for x in c.content_name],
            r,
            np.array([c.content_name[i] is None for i in r], bool),
        ),
        "start_date": fmt.iso_date(c.start_day[r] * DAY),
        "end_date": fmt.iso_date(c.end_day[r] * DAY),
        "budget": c.budget[r],
        "salesforce_campaign_id": ids.campaign.take(arrow(r)),
        "utm_campaign": pick(c.utm_campaign, r),
        "createdate": fmt.hubspot(c.created_at[r]),
        "lastmodifieddate": fmt.hubspot(t),
    }
    return table(columns, _export_columns("campaigns"), t, c.key[r])
