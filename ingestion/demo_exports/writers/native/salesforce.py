"""Salesforce as a default org's Data Loader export writes it.

Every object's standard fields in describe order (those the simulation knows are filled,
the others are empty), headers as Data Loader writes them (API names in upper case), every
value quoted. No custom fields: the demo org has no MQL, accepted, rejected, qualified or
reason fields. What sales did to a lead is in ``LeadHistory.csv`` (field history tracked
on Lead Status): a ``created`` row per lead, a ``Status`` row per change and a
``leadConverted`` row at conversion. The Lead Status picklist is Salesforce's default
(Open - Not Contacted, Working - Contacted, Closed - Converted, Closed - Not Converted)
plus the two values the demo org added so that sales can record the SLA's moments:
Accepted and Rejected - Nurture, and Qualified for the SQL (the meanings are the
definitions file's ``crm_lead_status`` vocabulary). A disqualified lead is Closed - Not
Converted. Opportunity stages are the default picklist's.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...arrays import arrow, constant, join, pick, rank
from ...simulation import catalog as cat
from ...simulation.clock import NEVER
from ...simulation.world import World
from .. import salesforce
from ..formats import Formats
from ..tables import Window, export_day, table
from ..vendor_ids import VendorIds, salesforce_ids

# The demo org's Lead Status picklist, in the order of catalog.LEAD_STATUSES.
LEAD_STATUSES = tuple(
    "Closed - Not Converted" if status == "Disqualified" else status for status in cat.LEAD_STATUSES
)

# Standard fields of a default org, in describe order (Salesforce Object Reference).
_STANDARD_FIELD_LISTS = {
    "leads": (
        "Id IsDeleted MasterRecordId LastName FirstName Salutation Name Title Company Street "
        "City State PostalCode Country Latitude Longitude GeocodeAccuracy Phone MobilePhone "
        "Fax Email Website PhotoUrl Description LeadSource Status Industry Rating "
        "AnnualRevenue NumberOfEmployees OwnerId HasOptedOutOfEmail IsConverted "
        "ConvertedDate ConvertedAccountId ConvertedContactId ConvertedOpportunityId "
        "IsUnreadByOwner CreatedDate CreatedById LastModifiedDate LastModifiedById "
        "SystemModstamp LastActivityDate DoNotCall HasOptedOutOfFax LastTransferDate Jigsaw "
        "JigsawContactId EmailBouncedReason EmailBouncedDate IndividualId"
    ),
    "lead_history": "Id IsDeleted LeadId CreatedById CreatedDate Field OldValue NewValue",
    "contacts": (
        "Id IsDeleted MasterRecordId AccountId LastName FirstName Salutation Name OtherStreet "
        "OtherCity OtherState OtherPostalCode OtherCountry MailingStreet MailingCity "
        "MailingState MailingPostalCode MailingCountry Phone Fax MobilePhone HomePhone "
        "OtherPhone AssistantPhone ReportsToId Email Title Department AssistantName "
        "LeadSource Birthdate Description OwnerId HasOptedOutOfEmail HasOptedOutOfFax "
        "DoNotCall CreatedDate CreatedById LastModifiedDate LastModifiedById SystemModstamp "
        "LastActivityDate LastCURequestDate LastCUUpdateDate EmailBouncedReason "
        "EmailBouncedDate IsEmailBounced PhotoUrl Jigsaw JigsawContactId IndividualId"
    ),
    "accounts": (
        "Id IsDeleted MasterRecordId Name Type ParentId BillingStreet BillingCity "
        "BillingState BillingPostalCode BillingCountry ShippingStreet ShippingCity "
        "ShippingState ShippingPostalCode ShippingCountry Phone Fax AccountNumber Website "
        "PhotoUrl Sic Industry AnnualRevenue NumberOfEmployees Ownership TickerSymbol "
        "Description Rating Site OwnerId CreatedDate CreatedById LastModifiedDate "
        "LastModifiedById SystemModstamp LastActivityDate Jigsaw JigsawCompanyId "
        "AccountSource SicDesc"
    ),
    "opportunities": (
        "Id IsDeleted AccountId IsPrivate Name Description StageName Amount Probability "
        "ExpectedRevenue TotalOpportunityQuantity CloseDate Type NextStep LeadSource IsClosed "
        "IsWon ForecastCategory ForecastCategoryName CampaignId HasOpportunityLineItem "
        "Pricebook2Id OwnerId CreatedDate CreatedById LastModifiedDate LastModifiedById "
        "SystemModstamp LastActivityDate PushCount LastStageChangeDate FiscalQuarter "
        "FiscalYear Fiscal ContactId HasOpenActivity HasOverdueTask"
    ),
    "opportunity_history": (
        "Id OpportunityId CreatedById CreatedDate StageName Amount ExpectedRevenue CloseDate "
        "Probability ForecastCategory SystemModstamp IsDeleted PrevAmount PrevCloseDate"
    ),
    "tasks": (
        "Id WhoId WhatId WhoCount WhatCount Subject ActivityDate Status Priority "
        "IsHighPriority OwnerId Description Type IsDeleted AccountId IsClosed CreatedDate "
        "CreatedById LastModifiedDate LastModifiedById SystemModstamp IsArchived "
        "CallDurationInSeconds CallType CallDisposition CallObject ReminderDateTime "
        "IsReminderSet RecurrenceActivityId IsRecurrence TaskSubtype CompletedDateTime"
    ),
    "events": (
        "Id WhoId WhatId WhoCount WhatCount Subject Location IsAllDayEvent ActivityDateTime "
        "ActivityDate DurationInMinutes StartDateTime EndDateTime EndDate Description "
        "AccountId OwnerId Type IsPrivate ShowAs IsDeleted IsChild IsGroupEvent "
        "GroupEventType CreatedDate CreatedById LastModifiedDate LastModifiedById "
        "SystemModstamp IsArchived RecurrenceActivityId IsRecurrence ReminderDateTime "
        "IsReminderSet EventSubtype"
    ),
    "campaigns": (
        "Id IsDeleted Name ParentId Type Status StartDate EndDate ExpectedRevenue "
        "BudgetedCost ActualCost ExpectedResponse NumberSent IsActive Description "
        "NumberOfLeads NumberOfConvertedLeads NumberOfContacts NumberOfResponses "
        "NumberOfOpportunities NumberOfWonOpportunities AmountAllOpportunities "
        "AmountWonOpportunities OwnerId CreatedDate CreatedById LastModifiedDate "
        "LastModifiedById SystemModstamp LastActivityDate CampaignMemberRecordTypeId"
    ),
    "campaign_members": (
        "Id IsDeleted CampaignId LeadId ContactId Status HasResponded CreatedDate "
        "CreatedById LastModifiedDate LastModifiedById SystemModstamp FirstRespondedDate "
        "Salutation Name FirstName LastName Title Street City State PostalCode Country Email "
        "Phone Fax MobilePhone Description DoNotCall HasOptedOutOfEmail HasOptedOutOfFax "
        "LeadSource CompanyOrAccount Type LeadOrContactId LeadOrContactOwnerId"
    ),
    "users": (
        "Id Username LastName FirstName Name CompanyName Division Department Title Street "
        "City State PostalCode Country Email Phone MobilePhone Alias CommunityNickname "
        "IsActive TimeZoneSidKey UserRoleId LocaleSidKey EmailEncodingKey ProfileId UserType "
        "LanguageLocaleKey EmployeeNumber ManagerId LastLoginDate CreatedDate CreatedById "
        "LastModifiedDate LastModifiedById SystemModstamp FederationIdentifier"
    ),
}
STANDARD_FIELDS = {name: tuple(fields.split()) for name, fields in _STANDARD_FIELD_LISTS.items()}


def build(world: World, window: Window, ids: VendorIds, fmt: Formats) -> dict[str, pa.Table]:
    contract = salesforce.build(world, window, ids, fmt)
    contract["leads"] = _with_default_statuses(contract["leads"])
    exports = {name: data_loader(name, records) for name, records in contract.items()}
    exports["lead_history"] = data_loader("lead_history", lead_history(world, window, ids, fmt))
    return exports


def _with_default_statuses(leads: pa.Table) -> pa.Table:
    status = pc.replace_substring_regex(leads["Status"], "^Disqualified$", LEAD_STATUSES[5])
    return leads.set_column(leads.schema.get_field_index("Status"), "Status", status)


def _derived(name: str, records: pa.Table) -> dict[str, pa.Array]:
    """Standard fields a real export fills that follow from the ones the contract has."""
    n = records.num_rows
    columns = records.column_names
    derived: dict[str, pa.Array] = {}
    if "FirstName" in columns and "LastName" in columns:
        derived["Name"] = join(records["FirstName"], records["LastName"], separator=" ")
    if name in ("leads", "contacts", "accounts"):
        derived["PhotoUrl"] = join("/services/images/photo/", records["Id"])
    if "OwnerId" in columns:
        derived["CreatedById"] = derived["LastModifiedById"] = records["OwnerId"]
    if name in ("leads", "contacts"):
        for flag in ("HasOptedOutOfEmail", "HasOptedOutOfFax", "DoNotCall"):
            derived[flag] = constant("false", n)
    if name == "leads":
        derived["IsUnreadByOwner"] = constant("false", n)
    if name in ("opportunities", "opportunity_history"):
        stage = records["StageName"]
        forecast = pc.if_else(
            pc.equal(stage, "Closed Won"),
            "Closed",
            pc.if_else(pc.equal(stage, "Closed Lost"), "Omitted", "Pipeline"),
        )
        derived["ForecastCategory"] = forecast
        derived["ExpectedRevenue"] = pc.multiply(
            pc.cast(records["Amount"], pa.float64()),
            pc.divide(pc.cast(records["Probability"], pa.float64()), 100.0),
        )
    if name == "opportunities":
        derived["ForecastCategoryName"] = derived["ForecastCategory"]
        derived["IsPrivate"] = constant("false", n)
    if name == "events":
        derived["IsAllDayEvent"] = derived["IsPrivate"] = constant("false", n)
        derived["ActivityDateTime"] = records["StartDateTime"]
    if name == "tasks":
        derived["IsClosed"] = constant("true", n)
        derived["Priority"] = constant("Normal", n)
    return derived


def data_loader(name: str, records: pa.Table) -> pa.Table:
    """A contract-shaped table as Data Loader exports the object: every standard field in
    describe order, upper-case headers, custom fields gone; `_day` kept."""
    fields = STANDARD_FIELDS[name]
    known = {column.lower(): column for column in records.column_names}
    unknown = [
        c for c in records.column_names if c != "_day" and not c.endswith("__c") and c not in fields
    ]
    if unknown:
        raise AssertionError(f"{name}: {unknown} are no standard fields of the object")
    derived = _derived(name, records)
    n = records.num_rows
    arrays = []
    for field in fields:
        if field.lower() in known:
            values = records[known[field.lower()]]
        elif field in derived:
            values = derived[field]
        else:
            values = pa.nulls(n, pa.string())
        arrays.append(values)
    arrays.append(records["_day"])
    return pa.Table.from_arrays(arrays, names=[*(f.upper() for f in fields), "_day"])


def lead_history(world: World, window: Window, ids: VendorIds, fmt: Formats) -> pa.Table:
    """LeadHistory: per lead a `created` row, a `Status` row per status change (the first
    from Open - Not Contacted) and a `leadConverted` row at conversion."""
    leads = world.leads
    changes = salesforce.status_changes(world)
    lead_numbers = np.arange(leads.n)
    lead = np.concatenate([lead_numbers] * (len(changes) + 2))
    at = np.concatenate([leads.created_at, *(dates for dates, _ in changes), leads.converted_at])
    # What the row records: -1 created, a status index, or 99 the conversion.
    what = np.concatenate(
        [np.full(leads.n, -1), *(np.full(leads.n, value) for _, value in changes)]
        + [np.full(leads.n, 99)]
    )
    keep = (at < NEVER) & (at >= leads.created_at[lead])
    lead, at, what = lead[keep], at[keep], what[keep]
    order = np.lexsort((what, at, lead))
    lead, at, what = lead[order], at[order], what[order]
    # The status before each change: the previous status row's of the same lead.
    is_status = (what >= 0) & (what < 99)
    status_row = np.flatnonzero(is_status)
    previous = np.zeros(len(lead), np.int64)  # Open - Not Contacted
    same_lead = np.r_[False, lead[status_row][1:] == lead[status_row][:-1]]
    previous[status_row[1:]] = np.where(same_lead[1:], what[status_row][:-1], 0)
    # Ids numbered over every row in creation order, so a next day continues them.
    key = lead * 128 + np.where(what < 0, 0, np.minimum(what, 100) + 1)
    numbers = rank(at, key)
    rows = np.flatnonzero(window.contains(export_day(at)))
    lead, at, what, previous, is_status, key, numbers = (
        values[rows] for values in (lead, at, what, previous, is_status, key, numbers)
    )
    field = np.where(what < 0, 0, np.where(what == 99, 2, 1))
    columns = {
        "Id": salesforce_ids("LeadHistory", numbers),
        "IsDeleted": np.zeros(len(rows), bool),
        "LeadId": ids.lead.take(arrow(lead)),
        "CreatedById": ids.user.take(arrow(leads.owner[lead])),
        "CreatedDate": fmt.salesforce(at),
        "Field": pick(("created", "Status", "leadConverted"), field),
        "OldValue": pick(LEAD_STATUSES, previous, ~is_status),
        "NewValue": pick(LEAD_STATUSES, np.where(is_status, what, 0), ~is_status),
    }
    return table(columns, tuple(columns), at, key)
