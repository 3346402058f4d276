"""The contract for the export files the pipeline reads.

The landing folder holds one folder per source system and, inside it, one folder per
export day (``<landing>/<system>/<YYYY-MM-DD>/<file>``). Each day's files carry the
records created or modified that day, the way scheduled delta exports of the real tools
do: a record updated later appears again in a later day's file with a newer modified
timestamp.

Column names are the vendors' own: HubSpot internal property names, Salesforce standard
object API names (``__c`` for the custom fields an aligned org adds), GA4's BigQuery
export schema. The demo generator writes exactly these files; a user drops in real
exports of the same shape. Columns not listed here are kept as they come (a new column
is added to the warehouse, never dropped); columns listed as required must be present
in every file or the source fails, naming the file and the column.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExportTable:
    """One kind of export file and how it is keyed."""

    name: str  # the raw table (and dlt resource) name
    file_name: str  # the file name inside each day folder
    required_columns: tuple[str, ...]
    primary_key: str | None = None  # vendor's primary key; None means append-only
    modified_column: str | None = None  # vendor's last-modified timestamp: the latest wins
    description: str = ""

    @property
    def file_glob(self) -> str:
        return f"*/{self.file_name}"


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
            required_columns=(
                "hs_object_id", "email", "firstname", "lastname", "jobtitle",
                "lifecyclestage", "hs_lead_status", "hubspotscore",
                "hs_analytics_source", "hs_analytics_source_data_1",
                "hs_analytics_source_data_2", "company", "numemployees", "industry",
                "country", "hubspot_owner_id",
                "hs_lifecyclestage_subscriber_date", "hs_lifecyclestage_lead_date",
                "hs_lifecyclestage_marketingqualifiedlead_date",
                "hs_lifecyclestage_salesqualifiedlead_date",
                "hs_lifecyclestage_opportunity_date", "hs_lifecyclestage_customer_date",
                "hs_merged_object_ids", "createdate", "lastmodifieddate",
            ),
        ),
        ExportTable(
            name="form_submissions",
            file_name="form_submissions.csv",
            primary_key="conversion_id",
            modified_column="submitted_at",
            description="Form submissions, with the GA client id captured on the form.",
            required_columns=(
                "conversion_id", "contact_id", "email", "form_id", "form_name",
                "form_type", "page_url", "ga_client_id", "utm_source", "utm_medium",
                "utm_campaign", "submitted_at",
            ),
        ),
        ExportTable(
            name="email_events",
            file_name="email_events.csv",
            primary_key="event_id",
            modified_column="created",
            description="Marketing e-mail events: SENT, OPEN, CLICK, BOUNCE, UNSUBSCRIBED.",
            required_columns=(
                "event_id", "email_campaign_id", "campaign_id", "contact_id",
                "recipient", "type", "url", "created",
            ),
        ),
        ExportTable(
            name="campaigns",
            file_name="campaigns.csv",
            primary_key="campaign_id",
            modified_column="lastmodifieddate",
            description="Marketing campaigns, linked to the CRM campaign they sync to.",
            required_columns=(
                "campaign_id", "name", "type", "channel", "content_name", "start_date",
                "end_date", "budget", "salesforce_campaign_id", "createdate",
                "lastmodifieddate",
            ),
        ),
    ),
)

_SF_AUDIT = ("CreatedDate", "LastModifiedDate", "SystemModstamp")

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
            required_columns=(
                "Id", "FirstName", "LastName", "Email", "Company", "Title", "Industry",
                "NumberOfEmployees", "Country", "Status", "LeadSource", "IsConverted",
                "ConvertedDate", "ConvertedContactId", "ConvertedAccountId",
                "ConvertedOpportunityId", "OwnerId", "IsDeleted", "MasterRecordId",
                "MQL_Date__c", "Accepted_Date__c", "Rejected_Date__c",
                "Rejection_Reason__c", "Qualified_Date__c", "Disqualified_Reason__c",
                *_SF_AUDIT,
            ),
        ),
        ExportTable(
            name="contacts",
            file_name="Contact.csv",
            primary_key="Id",
            modified_column="SystemModstamp",
            description="Contacts, each belonging to an account.",
            required_columns=(
                "Id", "AccountId", "FirstName", "LastName", "Email", "Title",
                "LeadSource", "OwnerId", "IsDeleted", "MasterRecordId", *_SF_AUDIT,
            ),
        ),
        ExportTable(
            name="accounts",
            file_name="Account.csv",
            primary_key="Id",
            modified_column="SystemModstamp",
            description="Accounts (companies).",
            required_columns=(
                "Id", "Name", "Website", "Industry", "NumberOfEmployees",
                "BillingCountry", "Type", "OwnerId", "IsDeleted", *_SF_AUDIT,
            ),
        ),
        ExportTable(
            name="opportunities",
            file_name="Opportunity.csv",
            primary_key="Id",
            modified_column="SystemModstamp",
            description="Opportunities: new business, renewals and upsells.",
            required_columns=(
                "Id", "AccountId", "ContactId", "Name", "StageName", "Amount",
                "CloseDate", "Probability", "IsClosed", "IsWon", "LeadSource",
                "CampaignId", "Type", "Loss_Reason__c", "OwnerId", "IsDeleted",
                *_SF_AUDIT,
            ),
        ),
        ExportTable(
            name="opportunity_history",
            file_name="OpportunityHistory.csv",
            primary_key="Id",
            modified_column="SystemModstamp",
            description="One row per opportunity stage or amount change.",
            required_columns=(
                "Id", "OpportunityId", "StageName", "Amount", "CloseDate",
                "Probability", "CreatedById", "CreatedDate", "SystemModstamp",
            ),
        ),
        ExportTable(
            name="tasks",
            file_name="Task.csv",
            primary_key="Id",
            modified_column="SystemModstamp",
            description="Sales touches logged as tasks: calls and e-mails.",
            required_columns=(
                "Id", "WhoId", "WhatId", "OwnerId", "Subject", "Type", "TaskSubtype",
                "Status", "ActivityDate", "CompletedDateTime", "IsDeleted", *_SF_AUDIT,
            ),
        ),
        ExportTable(
            name="events",
            file_name="Event.csv",
            primary_key="Id",
            modified_column="SystemModstamp",
            description="Sales touches logged as calendar events: meetings and demos.",
            required_columns=(
                "Id", "WhoId", "WhatId", "OwnerId", "Subject", "Type",
                "StartDateTime", "EndDateTime", "ActivityDate", "IsDeleted", *_SF_AUDIT,
            ),
        ),
        ExportTable(
            name="campaigns",
            file_name="Campaign.csv",
            primary_key="Id",
            modified_column="SystemModstamp",
            description="CRM campaigns.",
            required_columns=(
                "Id", "Name", "Type", "Status", "StartDate", "EndDate", "BudgetedCost",
                "ActualCost", "IsDeleted", *_SF_AUDIT,
            ),
        ),
        ExportTable(
            name="campaign_members",
            file_name="CampaignMember.csv",
            primary_key="Id",
            modified_column="SystemModstamp",
            description="Which lead or contact took part in which campaign.",
            required_columns=(
                "Id", "CampaignId", "LeadId", "ContactId", "Status", "HasResponded",
                "FirstRespondedDate", "IsDeleted", *_SF_AUDIT,
            ),
        ),
        ExportTable(
            name="users",
            file_name="User.csv",
            primary_key="Id",
            modified_column="SystemModstamp",
            description="CRM users: the owners of leads, contacts and opportunities.",
            required_columns=(
                "Id", "Name", "Email", "Title", "Department", "IsActive", *_SF_AUDIT,
            ),
        ),
    ),
)

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
            required_columns=(
                "event_date", "event_timestamp", "event_name", "event_params",
                "user_pseudo_id",
            ),
        ),
    ),
)

SYSTEMS: tuple[ExportSystem, ...] = (MARKETING_AUTOMATION, CRM, WEB_ANALYTICS)


def system(name: str) -> ExportSystem:
    return next(s for s in SYSTEMS if s.name == name)
