"""The contract for the export files the pipeline reads: tables, and the roles of their columns.

The landing folder holds one folder per source system and, inside it, one folder per
export day (``<landing>/<system>/<YYYY-MM-DD>/<file>``). Each day's files carry the
records created or modified that day, the way scheduled delta exports of the real tools
do: a record updated later appears again in a later day's file with a newer modified
timestamp.

Each table lists the **roles** its columns play, named after the vendors' own fields
(HubSpot internal property names, Salesforce standard object API names, GA4's BigQuery
export schema; ``__c`` for the custom fields some orgs add). Which column of a company's
file plays a role is the source mapping's business (:mod:`ingestion.mapping`, one YAML
file per company): by default the column of the role's own name, case-insensitively.

- A **required** role is in every standard export of the vendor: a file without it fails
  its source, and every missing role of every file is named in one message.
- An **optional** role may be absent: it is loaded as an empty column (or its ``default``),
  and ``fallback`` says what the pipeline does without it.

Columns no role uses are kept as they come (a new column is added to the warehouse, never
dropped). Timestamps and dates are read in any of the vendors' formats (ISO 8601 with or
without a zone, ``+0000``, epoch seconds or milliseconds, date only) and loaded as ISO
8601 UTC text; a timestamp without a zone is read in the time zone the mapping declares
for its source (default UTC).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Literal

# An amount is money (a deal value, a cost): a negative one is impossible and flagged.
Kind = Literal["text", "timestamp", "date", "json", "amount"]


@dataclass(frozen=True)
class Column:
    """One role a column of an export file plays."""

    name: str  # the vendor's own field name: the raw column's name in the warehouse
    kind: Kind = "text"
    required: bool = False
    default: str | None = None  # the value of an absent optional role (else empty)
    fallback: str = ""  # what the pipeline does when an optional role is absent
    aliases: tuple[str, ...] = ()  # the vendor's other spellings (API versions, UI labels)
    # A date set for the future (a close date, a due date, a meeting, a campaign's end): it
    # may lie further ahead of the run date (the definitions file's plausible_values).
    scheduled: bool = False

    @property
    def candidates(self) -> tuple[str, ...]:
        """The column names that play this role unless the mapping says otherwise."""
        return (self.name, *self.aliases)


def required(
    name: str, kind: Kind = "text", aliases: tuple[str, ...] = (), scheduled: bool = False
) -> Column:
    return Column(name, kind, required=True, aliases=aliases, scheduled=scheduled)


def optional(
    name: str,
    kind: Kind = "text",
    fallback: str = "",
    default: str | None = None,
    aliases: tuple[str, ...] = (),
    scheduled: bool = False,
) -> Column:
    return Column(
        name,
        kind,
        required=False,
        default=default,
        fallback=fallback,
        aliases=aliases,
        scheduled=scheduled,
    )


def timestamps(*names: str, fallback: str = "") -> tuple[Column, ...]:
    return tuple(optional(n, "timestamp", fallback) for n in names)


def texts(*names: str, fallback: str = "") -> tuple[Column, ...]:
    return tuple(optional(n, "text", fallback) for n in names)


def labelled(*names_and_labels: tuple[str, str], fallback: str = "") -> tuple[Column, ...]:
    """Optional text roles with the label a UI export heads them with."""
    return tuple(optional(n, fallback=fallback, aliases=(label,)) for n, label in names_and_labels)


# An export file may also come gzip-compressed, its name ending in this.
COMPRESSED_SUFFIX = ".gz"


def is_export_file(name: str, file_name: str) -> bool:
    """Whether a file called `name` is a table's export file `file_name` (a name or a glob,
    e.g. ``events_*.json``), as is or gzip-compressed (``Lead.csv.gz``)."""
    return any(fnmatch.fnmatchcase(name, p) for p in (file_name, file_name + COMPRESSED_SUFFIX))


@dataclass(frozen=True)
class ExportTable:
    """One kind of export file, the roles of its columns, and how it is keyed."""

    name: str  # the raw table (and dlt resource) name
    file_name: str  # the file name inside each day folder (the mapping may name another)
    columns: tuple[Column, ...]
    primary_key: str | None = None  # vendor's primary key; None means append-only
    modified_column: str | None = None  # vendor's last-modified timestamp: the latest wins
    description: str = ""
    optional_file: bool = False  # a standard org may not export it at all

    @property
    def file_glob(self) -> str:
        return f"*/{self.file_name}"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


@dataclass(frozen=True)
class ExportSystem:
    """One source system: a folder of daily drops under the landing folder."""

    name: str  # the folder under the landing folder, and the dlt source name
    dataset: str  # the warehouse schema its raw tables land in
    file_format: str  # "csv" or "ndjson"
    tables: tuple[ExportTable, ...]
    description: str = ""

    def table(self, name: str) -> ExportTable:
        return next(t for t in self.tables if t.name == name)


_NO_STAGE_DATE = "the stage is not entered from HubSpot (the CRM or another stage date may say)"

MARKETING_AUTOMATION = ExportSystem(
    name="marketing_automation",
    dataset="raw_marketing_automation",
    file_format="csv",
    description="HubSpot-style marketing automation exports.",
    tables=(
        ExportTable(
            name="contacts",
            file_name="contacts.csv",
            primary_key="hs_object_id",
            modified_column="lastmodifieddate",
            description="Contacts with lifecycle stage, lead status, score, source and "
            "the 'became a <stage> date' properties.",
            columns=(
                # CRM v3 `id`, legacy v1 `vid`, UI exports' "Record ID".
                required("hs_object_id", aliases=("id", "vid", "canonical-vid", "Record ID")),
                required("email", aliases=("Email",)),
                *labelled(
                    ("firstname", "First Name"),
                    ("lastname", "Last Name"),
                    ("jobtitle", "Job Title"),
                ),
                optional(
                    "lifecyclestage",
                    fallback="stages come from the stage dates and the CRM",
                    aliases=("Lifecycle Stage",),
                ),
                optional("hs_lead_status", aliases=("Lead Status",)),
                optional(
                    "hubspotscore",
                    fallback="no score: the MQL rule's score test fails, "
                    "a high-intent form still qualifies",
                    aliases=("HubSpot Score",),
                ),
                optional(
                    "hs_analytics_source",
                    fallback="the channel comes from the CRM's LeadSource, else 'unknown'",
                    aliases=("Original Source",),
                ),
                *labelled(
                    ("hs_analytics_source_data_1", "Original Source Drill-Down 1"),
                    ("hs_analytics_source_data_2", "Original Source Drill-Down 2"),
                ),
                *labelled(
                    ("company", "Company Name"),
                    ("numemployees", "Number of Employees"),
                    ("industry", "Industry"),
                    ("country", "Country/Region"),
                    fallback="unknown: the fit tests of the MQL rule fail",
                ),
                optional("hubspot_owner_id", aliases=("Contact owner ID",)),
                *timestamps(
                    "hs_lifecyclestage_subscriber_date",
                    "hs_lifecyclestage_lead_date",
                    "hs_lifecyclestage_marketingqualifiedlead_date",
                    "hs_lifecyclestage_salesqualifiedlead_date",
                    "hs_lifecyclestage_opportunity_date",
                    "hs_lifecyclestage_customer_date",
                    fallback=_NO_STAGE_DATE,
                ),
                optional(
                    "hs_merged_object_ids", fallback="no merges known", aliases=("merged-vids",)
                ),
                required("createdate", "timestamp", aliases=("Create Date", "createdAt")),
                required(
                    "lastmodifieddate", "timestamp", aliases=("Last Modified Date", "updatedAt")
                ),
            ),
        ),
        ExportTable(
            name="form_submissions",
            file_name="form_submissions.csv",
            primary_key="conversion_id",
            modified_column="submitted_at",
            description="Form submissions, joined to contacts by the contact id or e-mail "
            "they carry.",
            columns=(
                # The legacy contact profile's `form-submissions` list and the Forms API.
                optional(
                    "conversion_id",
                    aliases=("conversion-id", "conversionId"),
                    fallback="keyed by a hash of the submission's other columns",
                ),
                optional(
                    "contact_id",
                    fallback="joined to the contact by e-mail",
                    aliases=("vid", "canonical-vid", "contactId"),
                ),
                optional("email", fallback="joined to the contact by contact id"),
                required("form_id", aliases=("form-id", "formId", "formGuid")),
                optional(
                    "form_name",
                    fallback="the form type comes from the form id",
                    aliases=("title", "formName"),
                ),
                optional(
                    "form_type",
                    fallback="the agreed form type by form id or name (definitions file)",
                ),
                optional("page_url", aliases=("page-url", "pageUrl")),
                optional("ga_client_id", fallback="the form does not tie a browser to the person"),
                *texts(
                    "utm_source",
                    "utm_medium",
                    "utm_campaign",
                    fallback="the form's channel is the person's",
                ),
                required("submitted_at", "timestamp", aliases=("timestamp", "submittedAt")),
            ),
        ),
        ExportTable(
            name="email_events",
            file_name="email_events.csv",
            primary_key="event_id",
            modified_column="created",
            description="Marketing e-mail events (SENT, DELIVERED, OPEN, CLICK, BOUNCE ...), "
            "joined to contacts by recipient.",
            columns=(
                # The Email Events API's names.
                required("event_id", aliases=("id",)),
                optional("email_campaign_id", aliases=("emailCampaignId",)),
                optional("campaign_id", fallback="the e-mail is tied to no campaign"),
                optional("contact_id", fallback="joined to the contact by recipient"),
                required("recipient"),
                required("type"),
                optional("url"),
                required("created", "timestamp"),
            ),
        ),
        ExportTable(
            name="campaigns",
            file_name="campaigns.csv",
            primary_key="campaign_id",
            modified_column="lastmodifieddate",
            description="Marketing campaigns, linked to the CRM campaign they sync to.",
            columns=(
                required("campaign_id", aliases=("id",)),
                required("name", aliases=("hs_name",)),
                *texts("type", "channel", "content_name"),
                optional("start_date", "date", scheduled=True),
                optional("end_date", "date", scheduled=True),
                optional("budget", "amount"),
                optional(
                    "salesforce_campaign_id",
                    fallback="the campaign is matched to a CRM campaign by its name",
                ),
                optional(
                    "utm_campaign",
                    aliases=("hs_utm",),
                    fallback="UTM values are matched to the campaign by its name",
                ),
                optional("createdate", "timestamp", aliases=("createdAt", "hs_create_date")),
                required(
                    "lastmodifieddate", "timestamp", aliases=("updatedAt", "hs_lastmodifieddate")
                ),
            ),
        ),
    ),
)

_FROM_STATUS = (
    "from the Lead Status changes in LeadHistory, else the current Status at "
    "LastModifiedDate (flagged inferred)"
)
_NO_REASON = "the outcome is recorded without a reason"


def _is_deleted() -> Column:
    return optional("IsDeleted", default="false", fallback="false: every exported row is live")


def _salesforce_audit() -> tuple[Column, ...]:
    # Every object carries SystemModstamp; a report export may have only LastModifiedDate,
    # which then decides which version of a record is the latest.
    return (
        required("CreatedDate", "timestamp"),
        required("LastModifiedDate", "timestamp"),
        required("SystemModstamp", "timestamp", aliases=("LastModifiedDate",)),
    )


CRM = ExportSystem(
    name="crm",
    dataset="raw_crm",
    file_format="csv",
    description="Salesforce-style CRM exports, standard object API field names.",
    tables=(
        ExportTable(
            name="leads",
            file_name="Lead.csv",
            primary_key="Id",
            modified_column="SystemModstamp",
            description="Leads, their status, sales acceptance and conversion.",
            columns=(
                required("Id"),
                *texts("FirstName", "LastName"),
                required("Email"),
                *texts("Company", "Title", "Industry", "NumberOfEmployees", "Country"),
                required("Status"),
                optional("LeadSource", fallback="the channel comes from HubSpot, else 'unknown'"),
                required("IsConverted"),
                optional("ConvertedDate", "date"),
                *texts(
                    "ConvertedContactId",
                    "ConvertedAccountId",
                    "ConvertedOpportunityId",
                    fallback="the lead is tied to its contact by e-mail only",
                ),
                optional("OwnerId"),
                _is_deleted(),
                optional("MasterRecordId", fallback="no merges known"),
                optional(
                    "MQL_Date__c",
                    "timestamp",
                    fallback="the MQL date comes from HubSpot's lifecycle dates",
                ),
                *timestamps("Accepted_Date__c", "Rejected_Date__c", fallback=_FROM_STATUS),
                optional("Rejection_Reason__c", fallback=_NO_REASON),
                optional("Qualified_Date__c", "timestamp", fallback=_FROM_STATUS),
                optional("Disqualified_Reason__c", fallback=_NO_REASON),
                *_salesforce_audit(),
            ),
        ),
        ExportTable(
            name="lead_history",
            file_name="LeadHistory.csv",
            primary_key="Id",
            modified_column="CreatedDate",
            optional_file=True,
            description="Lead field history (Field = 'Status': status changes), when the "
            "org tracks it. Without it, stage times come from custom fields or the current "
            "status.",
            columns=(
                required("Id"),
                required("LeadId"),
                required("Field"),
                optional("OldValue"),
                optional("NewValue"),
                _is_deleted(),
                required("CreatedDate", "timestamp"),
            ),
        ),
        ExportTable(
            name="contacts",
            file_name="Contact.csv",
            primary_key="Id",
            modified_column="SystemModstamp",
            description="Contacts, each belonging to an account.",
            columns=(
                required("Id"),
                optional("AccountId", fallback="the contact belongs to no account"),
                *texts("FirstName", "LastName"),
                required("Email"),
                *texts("Title", "LeadSource", "OwnerId"),
                _is_deleted(),
                optional("MasterRecordId", fallback="no merges known"),
                *_salesforce_audit(),
            ),
        ),
        ExportTable(
            name="accounts",
            file_name="Account.csv",
            primary_key="Id",
            modified_column="SystemModstamp",
            description="Accounts (companies).",
            columns=(
                required("Id"),
                required("Name"),
                *texts(
                    "Website", "Industry", "NumberOfEmployees", "BillingCountry", "Type", "OwnerId"
                ),
                _is_deleted(),
                *_salesforce_audit(),
            ),
        ),
        ExportTable(
            name="opportunities",
            file_name="Opportunity.csv",
            primary_key="Id",
            modified_column="SystemModstamp",
            description="Opportunities: new business, renewals and upsells.",
            columns=(
                required("Id"),
                required("AccountId"),
                optional("ContactId", fallback="tied to people through the converted lead"),
                required("Name"),
                required("StageName"),
                optional("Amount", "amount"),
                required("CloseDate", "date", scheduled=True),
                optional("Probability"),
                required("IsClosed"),
                required("IsWon"),
                *texts("LeadSource", "CampaignId", "Type"),
                optional("Loss_Reason__c", fallback="a loss is recorded without a reason"),
                optional("OwnerId"),
                _is_deleted(),
                *_salesforce_audit(),
            ),
        ),
        ExportTable(
            name="opportunity_history",
            file_name="OpportunityHistory.csv",
            primary_key="Id",
            modified_column="SystemModstamp",
            description="One row per opportunity stage or amount change.",
            columns=(
                required("Id"),
                required("OpportunityId"),
                required("StageName"),
                optional("Amount", "amount"),
                optional("CloseDate", "date", scheduled=True),
                *texts("Probability", "CreatedById"),
                required("CreatedDate", "timestamp"),
                required("SystemModstamp", "timestamp", aliases=("CreatedDate",)),
            ),
        ),
        ExportTable(
            name="tasks",
            file_name="Task.csv",
            primary_key="Id",
            modified_column="SystemModstamp",
            description="Sales touches logged as tasks: calls and e-mails.",
            columns=(
                required("Id"),
                optional("WhoId", fallback="the task touches nobody the pipeline knows"),
                *texts("WhatId", "OwnerId", "Subject", "Type", "TaskSubtype", "Status"),
                optional("ActivityDate", "date", scheduled=True),
                optional(
                    "CompletedDateTime",
                    "timestamp",
                    fallback="a completed task counts from its ActivityDate",
                ),
                _is_deleted(),
                *_salesforce_audit(),
            ),
        ),
        ExportTable(
            name="events",
            file_name="Event.csv",
            primary_key="Id",
            modified_column="SystemModstamp",
            description="Sales touches logged as calendar events: meetings and demos.",
            columns=(
                required("Id"),
                optional("WhoId", fallback="the event touches nobody the pipeline knows"),
                *texts("WhatId", "OwnerId", "Subject", "Type"),
                required("StartDateTime", "timestamp", scheduled=True),
                optional("EndDateTime", "timestamp", scheduled=True),
                optional("ActivityDate", "date", scheduled=True),
                _is_deleted(),
                *_salesforce_audit(),
            ),
        ),
        ExportTable(
            name="campaigns",
            file_name="Campaign.csv",
            primary_key="Id",
            modified_column="SystemModstamp",
            description="CRM campaigns.",
            columns=(
                required("Id"),
                required("Name"),
                *texts("Type", "Status"),
                optional("StartDate", "date", scheduled=True),
                optional("EndDate", "date", scheduled=True),
                optional("BudgetedCost", "amount"),
                optional("ActualCost", "amount"),
                _is_deleted(),
                *_salesforce_audit(),
            ),
        ),
        ExportTable(
            name="campaign_members",
            file_name="CampaignMember.csv",
            primary_key="Id",
            modified_column="SystemModstamp",
            description="Which lead or contact took part in which campaign.",
            columns=(
                required("Id"),
                required("CampaignId"),
                *texts("LeadId", "ContactId", "Status", "HasResponded"),
                optional("FirstRespondedDate", "date"),
                _is_deleted(),
                *_salesforce_audit(),
            ),
        ),
        ExportTable(
            name="users",
            file_name="User.csv",
            primary_key="Id",
            modified_column="SystemModstamp",
            description="CRM users: the owners of leads, contacts and opportunities.",
            columns=(
                required("Id"),
                required("Name"),
                *texts("Email", "Title", "Department"),
                optional("IsActive", default="true", fallback="true: every user is active"),
                *_salesforce_audit(),
            ),
        ),
    ),
)

# What a GA4 user_id is, set per export by the mapping (a constant role).
USER_ID_KINDS = ("marketing_contact", "crm_lead_or_contact", "email_sha256", "none")

WEB_ANALYTICS = ExportSystem(
    name="web_analytics",
    dataset="raw_web_analytics",
    file_format="ndjson",
    description="GA4 BigQuery-export-style events, newline-delimited JSON, a day per file.",
    tables=(
        ExportTable(
            name="events",
            file_name="events_*.json",
            description="One GA4 event per row with nested event_params.",
            columns=(
                required("event_date"),
                required("event_timestamp"),
                required("event_name"),
                optional("event_params", "json", fallback="no page, session or form"),
                optional(
                    "user_pseudo_id",
                    fallback="a consent-mode ping: counted, never in identity or sessions",
                ),
                optional("user_id"),
                optional(
                    "user_id_kind",
                    default="marketing_contact",
                    fallback="'marketing_contact': a GA4 user_id is a HubSpot contact "
                    f"id; the mapping may say one of {', '.join(USER_ID_KINDS)}",
                ),
                *(
                    optional(n, "json")
                    for n in (
                        "privacy_info",
                        "device",
                        "geo",
                        "traffic_source",
                        "collected_traffic_source",
                    )
                ),
                *texts(
                    "batch_event_index",
                    "batch_page_id",
                    "batch_ordering_id",
                    fallback="hits of one browser, microsecond, name and page are one",
                ),
            ),
        ),
    ),
)

SYSTEMS: tuple[ExportSystem, ...] = (MARKETING_AUTOMATION, CRM, WEB_ANALYTICS)


def system(name: str) -> ExportSystem:
    return next(s for s in SYSTEMS if s.name == name)
