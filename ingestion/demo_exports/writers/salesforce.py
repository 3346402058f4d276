"""CRM exports (Salesforce-style): leads, contacts, accounts, opportunities and their
history, tasks, events, campaigns, campaign members and users."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...exports import CRM
from ..arrays import arrow, choose, constant, int_strings, join, pick, rank, with_nulls
from ..simulation import catalog as cat
from ..simulation.clock import DAY, HOUR, MINUTE, NEVER, happened
from ..simulation.sales import EVENT_SUBJECTS, TASK_SUBJECTS
from ..simulation.world import World, campaign_responses
from .formats import Formats
from .tables import Window, last_per_day, table, versions
from .vendor_ids import VendorIds, salesforce_ids

EXACT_DUPLICATE_ROW_SHARE = 0.004


def _export_columns(name: str) -> tuple[str, ...]:
    return CRM.table(name).column_names


def build(world: World, window: Window, ids: VendorIds, fmt: Formats) -> dict[str, pa.Table]:
    return {
        "leads": leads_table(world, window, ids, fmt),
        "contacts": contacts_table(world, window, ids, fmt),
        "accounts": accounts_table(world, window, ids, fmt),
        "opportunities": opportunities_table(world, window, ids, fmt),
        "opportunity_history": history_table(world, window, ids, fmt),
        "tasks": tasks_table(world, window, ids, fmt),
        "events": events_table(world, window, ids, fmt),
        "campaigns": campaigns_table(world, window, ids, fmt),
        "campaign_members": members_table(world, window, ids, fmt),
        "users": users_table(world, window, ids, fmt),
    }


def _audit(fmt: Formats, created: np.ndarray, modified: np.ndarray) -> dict[str, pa.Array]:
    modified_text = fmt.salesforce(modified)
    return {
        "CreatedDate": fmt.salesforce(created),
        "LastModifiedDate": modified_text,
        "SystemModstamp": modified_text,
    }


def _lead_source(world: World, person: np.ndarray) -> pa.Array:
    channel = world.people.channel[person]
    cold_call = (channel == cat.OUTBOUND) & world.dice.bernoulli("lead/cold_call", 0.3, person)
    names = [c.lead_source for c in cat.CHANNELS] + ["Cold Call"]
    return pick(names, np.where(cold_call, len(cat.CHANNELS), channel))


def lead_emails(world: World) -> pa.Array:
    """The address as the CRM holds it: case and stray spaces differ from marketing's."""
    leads = world.leads
    email = world.people.email.take(arrow(leads.person))
    v = leads.email_variant
    return pc.case_when(
        pc.make_struct(arrow(v == 1), arrow(v == 2), arrow(v == 3)),
        pc.utf8_title(email),
        pc.utf8_upper(email),
        join(" ", email, " "),
        email,
    )


def status_changes(world: World) -> tuple[tuple[np.ndarray, int], ...]:
    """When each lead moved into each Lead Status (index into catalog.LEAD_STATUSES; a
    lead is created Open - Not Contacted), in the order a lead moves."""
    leads = world.leads
    return (
        (leads.first_touch_at, 1),
        (leads.accepted_at, 2),
        (leads.rejected_at, 3),
        (leads.qualified_at, 4),
        (leads.disqualified_at, 5),
        (leads.converted_at, 6),
    )


def leads_table(world: World, window: Window, ids: VendorIds, fmt: Formats) -> pa.Table:
    leads, people, companies, deals = world.leads, world.people, world.companies, world.deals
    is_dup = leads.is_duplicate
    deleted_at = np.where(is_dup, leads.merged_at, NEVER)
    lead, t = versions(
        [
            leads.created_at,
            leads.first_touch_at,
            leads.accepted_at,
            leads.rejected_at,
            leads.qualified_at,
            leads.disqualified_at,
            leads.converted_at,
            leads.merged_at,
        ],
        window,
    )
    p = leads.person[lead]
    status = np.zeros(len(lead), np.int64)
    for dates, value in status_changes(world):
        status = np.where(dates[lead] <= t, value, status)
    converted = leads.converted_at[lead] <= t
    deleted = deleted_at[lead] <= t
    master = np.maximum(leads.master[lead], 0)
    company = people.company[p]
    mql_at = np.where(is_dup[lead] | leads.is_outbound[lead], NEVER, people.mql_at[p])
    shown = lambda dates: fmt.salesforce(np.where(dates[lead] <= t, dates[lead], NEVER))  # noqa: E731
    rejected = leads.rejected_at[lead] <= t
    disqualified = leads.disqualified_at[lead] <= t
    source = _lead_source(world, p)
    lead_ids = ids.lead.take(arrow(lead))
    columns = {
        "Id": lead_ids,
        "FirstName": pick(cat.FIRST_NAMES, people.first_name[p]),
        "LastName": pick(cat.LAST_NAMES, people.last_name[p]),
        "Email": lead_emails(world).take(arrow(lead)),
        "Company": companies.name.take(arrow(company)),
        "Title": pick(cat.JOB_TITLES, people.title[p]),
        "Industry": pick(cat.INDUSTRIES, companies.industry[company]),
        "NumberOfEmployees": companies.employees[company],
        "Country": pick(cat.COUNTRIES, companies.country[company]),
        "Status": pick(cat.LEAD_STATUSES, status),
        "LeadSource": choose(is_dup[lead], "Other", source),
        "IsConverted": converted,
        "ConvertedDate": fmt.iso_date(np.where(converted, leads.converted_at[lead], NEVER)),
        "ConvertedContactId": with_nulls(
            ids.contact.take(arrow(np.maximum(deals.lead_contact[lead], 0))), ~converted
        ),
        "ConvertedAccountId": with_nulls(
            ids.account.take(arrow(np.maximum(deals.lead_account[lead], 0))), ~converted
        ),
        "ConvertedOpportunityId": with_nulls(
            ids.opportunity.take(arrow(np.maximum(deals.lead_opportunity[lead], 0))),
            ~converted | (deals.lead_opportunity[lead] < 0),
        ),
        "OwnerId": ids.user.take(arrow(leads.owner[lead])),
        "IsDeleted": deleted,
        "MasterRecordId": with_nulls(ids.lead.take(arrow(master)), ~deleted),
        "MQL_Date__c": fmt.salesforce(mql_at),
        "Accepted_Date__c": shown(leads.accepted_at),
        "Rejected_Date__c": shown(leads.rejected_at),
        "Rejection_Reason__c": pick(
            [*cat.REJECTION_REASONS, cat.UNRESPONSIVE], leads.rejection_reason[lead], ~rejected
        ),
        "Qualified_Date__c": shown(leads.qualified_at),
        "Disqualified_Reason__c": pick(
            cat.DISQUALIFIED_REASONS, leads.disqualified_reason[lead], ~disqualified
        ),
        **_audit(fmt, leads.created_at[lead], t),
    }
    return table(
        columns,
        _export_columns("leads"),
        t,
        leads.person[lead] * 2 + is_dup[lead],
        (world.dice, "lead/dup_row", EXACT_DUPLICATE_ROW_SHARE),
    )


def contacts_table(world: World, window: Window, ids: VendorIds, fmt: Formats) -> pa.Table:
    deals, leads, people = world.deals, world.leads, world.people
    c = np.flatnonzero(window.contains(deals.contact_created_at // DAY))
    lead = deals.contact_lead[c]
    p = leads.person[lead]
    t = deals.contact_created_at[c]
    columns = {
        "Id": ids.contact.take(arrow(c)),
        "AccountId": ids.account.take(arrow(deals.contact_account[c])),
        "FirstName": pick(cat.FIRST_NAMES, people.first_name[p]),
        "LastName": pick(cat.LAST_NAMES, people.last_name[p]),
        "Email": lead_emails(world).take(arrow(lead)),
        "Title": pick(cat.JOB_TITLES, people.title[p]),
        "LeadSource": _lead_source(world, p),
        "OwnerId": ids.user.take(arrow(deals.account_owner[deals.contact_account[c]])),
        "IsDeleted": np.zeros(len(c), bool),
        "MasterRecordId": pa.nulls(len(c), pa.string()),
        **_audit(fmt, t, t),
    }
    return table(columns, _export_columns("contacts"), t, p)


def accounts_table(world: World, window: Window, ids: VendorIds, fmt: Formats) -> pa.Table:
    deals, companies = world.deals, world.companies
    account, t = versions([deals.account_created_at, deals.account_customer_at + MINUTE], window)
    company = deals.account_company[account]
    customer = deals.account_customer_at[account] < t
    columns = {
        "Id": ids.account.take(arrow(account)),
        "Name": companies.name.take(arrow(company)),
        "Website": join("www.", companies.domain.take(arrow(company))),
        "Industry": pick(cat.INDUSTRIES, companies.industry[company]),
        "NumberOfEmployees": companies.employees[company],
        "BillingCountry": pick(cat.COUNTRIES, companies.country[company]),
        "Type": pick(("Prospect", "Customer"), customer.astype(np.int64)),
        "OwnerId": ids.user.take(arrow(deals.account_owner[account])),
        "IsDeleted": np.zeros(len(account), bool),
        **_audit(fmt, deals.account_created_at[account], t),
    }
    return table(columns, _export_columns("accounts"), t, company)


def _opportunity_names(world: World, fmt: Formats) -> pa.Array:
    opp, deals = world.deals.opportunity, world.deals
    company = deals.account_company[opp.account]
    year = (fmt.epoch_ms + opp.created_at).astype("datetime64[ms]").astype("datetime64[Y]").astype(
        np.int64
    ) + 1970
    suffix = choose(
        opp.type == cat.RENEWAL,
        join("Renewal ", int_strings(year)),
        pick(("New Business", "Upsell", ""), opp.type),
    )
    return join(world.companies.name.take(arrow(company)), suffix, separator=" - ")


def _first_campaign(world: World, person: np.ndarray, by: np.ndarray) -> np.ndarray:
    """The campaign of each person's first campaign response (the primary campaign
    source), if it came at or before `by` (the opportunity's creation); else -1. A later
    response cannot have sourced the opportunity, and its campaign may not exist yet."""
    who, campaign, responded = campaign_responses(world)
    order = np.lexsort((campaign, responded, who))
    first = order[np.r_[True, who[order][1:] != who[order][:-1]]] if len(order) else order
    first_campaign = np.full(world.people.n, -1)
    first_at = np.full(world.people.n, NEVER)
    first_campaign[who[first]] = campaign[first]
    first_at[who[first]] = responded[first]
    return np.where(first_at[person] <= by, first_campaign[person], -1)


def opportunities_table(world: World, window: Window, ids: VendorIds, fmt: Formats) -> pa.Table:
    opp = world.deals.opportunity
    # Several changes on one day: the version is the last history row of that day.
    row, t = last_per_day(opp.history_opportunity, opp.history_at, window)
    o = opp.history_opportunity[row]
    stage = opp.history_stage[row]
    closed = stage >= 5
    lead_source = np.where(opp.type[o] == cat.NEW_BUSINESS, 0, 1)
    first_campaign = _first_campaign(world, opp.lead_source_person[o], opp.created_at[o])
    columns = {
        "Id": ids.opportunity.take(arrow(o)),
        "AccountId": ids.account.take(arrow(opp.account[o])),
        "ContactId": ids.contact.take(arrow(opp.contact[o])),
        "Name": _opportunity_names(world, fmt).take(arrow(o)),
        "StageName": pick(cat.OPPORTUNITY_STAGES, stage),
        "Amount": opp.history_amount[row],
        "CloseDate": fmt.iso_date(opp.history_close_at[row]),
        "Probability": np.array(cat.STAGE_PROBABILITY)[stage],
        "IsClosed": closed,
        "IsWon": stage == 5,
        "LeadSource": choose(
            lead_source == 0, _lead_source(world, opp.lead_source_person[o]), "Existing Customer"
        ),
        "CampaignId": with_nulls(
            ids.campaign.take(arrow(np.maximum(first_campaign, 0))),
            (first_campaign < 0) | (lead_source == 1),
        ),
        "Type": pick(cat.OPPORTUNITY_TYPES, opp.type[o]),
        "Loss_Reason__c": pick(cat.LOSS_REASONS, np.maximum(opp.loss_reason[o], 0), stage != 6),
        "OwnerId": ids.user.take(arrow(opp.owner[o])),
        "IsDeleted": np.zeros(len(o), bool),
        **_audit(fmt, opp.created_at[o], t),
    }
    return table(columns, _export_columns("opportunities"), t, opp.key[o])


def history_table(world: World, window: Window, ids: VendorIds, fmt: Formats) -> pa.Table:
    opp = world.deals.opportunity
    h_all = opp.history_opportunity
    position = np.arange(len(h_all)) - np.searchsorted(h_all, h_all)
    key_all = opp.key[h_all] * 8 + position
    numbers = rank(opp.history_at, key_all)
    r = np.flatnonzero(window.contains(np.maximum(opp.history_at, 0) // DAY))
    o = h_all[r]
    t = opp.history_at[r]
    stage = opp.history_stage[r]
    columns = {
        "Id": salesforce_ids("OpportunityHistory", numbers[r]),
        "OpportunityId": ids.opportunity.take(arrow(o)),
        "StageName": pick(cat.OPPORTUNITY_STAGES, stage),
        "Amount": opp.history_amount[r],
        "CloseDate": fmt.iso_date(opp.history_close_at[r]),
        "Probability": np.array(cat.STAGE_PROBABILITY)[stage],
        "CreatedById": ids.user.take(arrow(opp.owner[o])),
        "CreatedDate": fmt.salesforce(t),
        "SystemModstamp": fmt.salesforce(t),
    }
    return table(columns, _export_columns("opportunity_history"), t, key_all[r])


def _touch_who(world: World, ids: VendorIds, lead: np.ndarray, opportunity: np.ndarray):
    """WhoId (lead, or the opportunity's contact) and WhatId (opportunity or empty)."""
    opp = world.deals.opportunity
    on_lead = lead >= 0
    who = pc.if_else(
        arrow(on_lead),
        ids.lead.take(arrow(np.maximum(lead, 0))),
        ids.contact.take(arrow(opp.contact[np.maximum(opportunity, 0)])),
    )
    what = with_nulls(ids.opportunity.take(arrow(np.maximum(opportunity, 0))), on_lead)
    return who, what


def tasks_table(world: World, window: Window, ids: VendorIds, fmt: Formats) -> pa.Table:
    a, b = world.lead_tasks, world.deal_tasks
    lead, opportunity = np.r_[a.lead, b.lead], np.r_[a.opportunity, b.opportunity]
    at, owner, kind = np.r_[a.at, b.at], np.r_[a.owner, b.owner], np.r_[a.kind, b.kind]
    subject, key = np.r_[a.subject, b.subject], np.r_[a.key, b.key]
    numbers = rank(at, key)
    r = np.flatnonzero(window.contains(at // DAY))
    who, what = _touch_who(world, ids, lead[r], opportunity[r])
    subjects = [subject for by_kind in TASK_SUBJECTS for subject in by_kind]
    subject = kind[r] * len(TASK_SUBJECTS[0]) + subject[r]
    t = at[r]
    columns = {
        "Id": salesforce_ids("Task", numbers[r]),
        "WhoId": who,
        "WhatId": what,
        "OwnerId": ids.user.take(arrow(owner[r])),
        "Subject": pick(subjects, subject),
        "Type": pick(("Call", "Email"), kind[r]),
        "TaskSubtype": pick(("Call", "Email"), kind[r]),
        "Status": constant("Completed", len(r)),
        "ActivityDate": fmt.iso_date(t),
        "CompletedDateTime": fmt.salesforce(t),
        "IsDeleted": np.zeros(len(r), bool),
        **_audit(fmt, t, t),
    }
    return table(
        columns,
        _export_columns("tasks"),
        t,
        key[r],
        (world.dice, "task/dup_row", EXACT_DUPLICATE_ROW_SHARE),
    )


def events_table(world: World, window: Window, ids: VendorIds, fmt: Formats) -> pa.Table:
    meetings = world.sales_events
    booked_at = world.clock.business(meetings.at - DAY - 3 * HOUR)  # meetings are booked ahead
    numbers = rank(booked_at, meetings.key)
    r = np.flatnonzero(window.contains(np.maximum(booked_at, 0) // DAY))
    who, what = _touch_who(world, ids, meetings.lead[r], meetings.opportunity[r])
    start = meetings.at[r] - meetings.at[r] % (30 * MINUTE)  # meetings start on the half hour
    duration = np.where(meetings.kind[r] == 1, 60, 30) * MINUTE
    t = booked_at[r]
    columns = {
        "Id": salesforce_ids("Event", numbers[r]),
        "WhoId": who,
        "WhatId": what,
        "OwnerId": ids.user.take(arrow(meetings.owner[r])),
        "Subject": pick(EVENT_SUBJECTS, meetings.subject[r]),
        "Type": pick(("Meeting", "Demo"), meetings.kind[r]),
        "StartDateTime": fmt.salesforce(start),
        "EndDateTime": fmt.salesforce(start + duration),
        "ActivityDate": fmt.iso_date(start),
        "IsDeleted": np.zeros(len(r), bool),
        **_audit(fmt, t, t),
    }
    return table(columns, _export_columns("events"), t, meetings.key[r])


def campaigns_table(world: World, window: Window, ids: VendorIds, fmt: Formats) -> pa.Table:
    c = world.campaigns
    row, t = versions([c.created_at, c.started_at, c.completed_at], window)
    status = np.where(c.completed_at[row] <= t, 2, np.where(c.started_at[row] <= t, 1, 0))
    kinds = list(cat.CAMPAIGN_KINDS.values())
    columns = {
        "Id": ids.campaign.take(arrow(row)),
        "Name": pick(c.name, row),
        "Type": pick([k[4] for k in kinds], c.kind[row]),
        "Status": pick(("Planned", "In Progress", "Completed"), status),
        "StartDate": fmt.iso_date(c.start_day[row] * DAY),
        "EndDate": fmt.iso_date(c.end_day[row] * DAY),
        "BudgetedCost": c.budget[row],
        "ActualCost": arrow(c.actual_cost[row], mask=status < 2),
        "IsDeleted": np.zeros(len(row), bool),
        **_audit(fmt, c.created_at[row], t),
    }
    return table(columns, _export_columns("campaigns"), t, c.key[row])


def members_table(world: World, window: Window, ids: VendorIds, fmt: Formats) -> pa.Table:
    """Campaign members: leads that responded (synced from marketing when the lead is
    created), and outbound prospects added to their sequence (responded once reached)."""
    leads, deals = world.leads, world.deals
    primary = np.flatnonzero(~leads.is_duplicate)
    lead_of_person = np.full(world.people.n, -1)
    lead_of_person[leads.person[primary]] = primary
    person, campaign, responded = campaign_responses(world)
    lead = lead_of_person[person]
    ok = lead >= 0
    # Outbound prospects: members of the sequence running when they were created.
    outbound = primary[leads.is_outbound[primary]]
    sequence = world.campaigns.active("outbound", leads.created_at[outbound])
    has_seq = sequence >= 0
    lead = np.r_[lead[ok], outbound[has_seq]]
    campaign = np.r_[campaign[ok], sequence[has_seq]]
    responded = np.r_[responded[ok], leads.connected_at[outbound[has_seq]]]
    # One member per lead and campaign: the first response counts.
    order = np.lexsort((responded, campaign, lead))
    lead, campaign, responded = lead[order], campaign[order], responded[order]
    first = np.r_[True, (lead[1:] != lead[:-1]) | (campaign[1:] != campaign[:-1])]
    lead, campaign, responded = lead[first], campaign[first], responded[first]
    created = np.maximum(
        leads.created_at[lead] + MINUTE,
        np.where(happened(responded), responded, leads.created_at[lead]),
    )
    created = np.where(leads.is_outbound[lead], leads.created_at[lead] + MINUTE, created)
    # Conversion fills in ContactId; a member added after the conversion (a later click
    # or form) has it from its creation, with no version of its own before (`versions`).
    contact_at = leads.converted_at[lead] + MINUTE
    member_key = leads.person[lead] * 100_000 + world.campaigns.key[campaign]
    numbers = rank(created, member_key)
    member, t = versions(
        [created, np.where(leads.is_outbound[lead], responded, NEVER), contact_at], window
    )
    lm, cm = lead[member], campaign[member]
    has_responded = responded[member] <= t
    has_contact = contact_at[member] <= t
    columns = {
        "Id": salesforce_ids("CampaignMember", numbers[member]),
        "CampaignId": ids.campaign.take(arrow(cm)),
        "LeadId": ids.lead.take(arrow(lm)),
        "ContactId": with_nulls(
            ids.contact.take(arrow(np.maximum(deals.lead_contact[lm], 0))), ~has_contact
        ),
        "Status": pick(("Sent", "Responded"), has_responded.astype(np.int64)),
        "HasResponded": has_responded,
        "FirstRespondedDate": fmt.iso_date(np.where(has_responded, responded[member], NEVER)),
        "IsDeleted": np.zeros(len(member), bool),
        **_audit(fmt, created[member], t),
    }
    return table(columns, _export_columns("campaign_members"), t, member_key[member])


def users_table(world: World, window: Window, ids: VendorIds, fmt: Formats) -> pa.Table:
    users = world.users
    created = -(400 - 9 * np.arange(users.n)) * DAY + 10 * HOUR  # hired before the data starts
    keep = window.contains(np.maximum(created, 0) // DAY)
    u = np.flatnonzero(keep)
    first_last = [name.lower().replace(" ", ".") for name in users.name]
    columns = {
        "Id": ids.user.take(arrow(u)),
        "Name": pick(users.name, u),
        "Email": pick([f"{x}@lumenmetrics.example" for x in first_last], u),
        "Title": pick(users.title, u),
        "Department": pick(users.department, u),
        "IsActive": np.ones(len(u), bool),
        **_audit(fmt, created[u], created[u]),
    }
    return table(columns, _export_columns("users"), created[u], u)
