"""Real exports load: the source mapping, optional roles, header case, formats, time zones,
empty tables, one message for every missing role, and the preflight command.

The files here are written in the vendors' own shapes (Salesforce Data Loader headers and
values, HubSpot CRM v3 / legacy v1 property names, GA4 BigQuery export rows), with the
values each test expects worked out by hand.
"""

import csv
import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion import preflight, settings
from ingestion.exports import CRM, MARKETING_AUTOMATION, WEB_ANALYTICS
from ingestion.mapping import MappingError, load_mapping
from ingestion.sources import create_empty_tables, export_file_error, export_pipeline, source_for
from tests.conftest import query, table_counts


def load(system) -> None:
    export_pipeline(system).run(source_for(system))
    create_empty_tables(system)


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_mapping(tmp_path: Path, monkeypatch, text: str) -> Path:
    path = tmp_path / "mapping.yml"
    path.write_text(text)
    monkeypatch.setenv(settings.SOURCE_MAPPING_ENV, str(path))
    return path


DAY = "2026-03-02"

# A default org's Lead export: standard fields only, in Data Loader's header case.
DEFAULT_ORG_LEAD_HEADER = [
    "Id",
    "IsDeleted",
    "MasterRecordId",
    "LastName",
    "FirstName",
    "Salutation",
    "Name",
    "Title",
    "Company",
    "City",
    "Country",
    "Email",
    "Website",
    "LeadSource",
    "Status",
    "Industry",
    "Rating",
    "NumberOfEmployees",
    "OwnerId",
    "IsConverted",
    "ConvertedDate",
    "ConvertedAccountId",
    "ConvertedContactId",
    "ConvertedOpportunityId",
    "CreatedDate",
    "CreatedById",
    "LastModifiedDate",
    "LastModifiedById",
    "SystemModstamp",
]


def default_org_lead(lead_id: str, email: str, status: str, modified: str) -> list[str]:
    values = dict.fromkeys(DEFAULT_ORG_LEAD_HEADER, "")
    values.update(
        Id=lead_id,
        IsDeleted="false",
        LastName="Lovelace",
        FirstName="Ada",
        Name="Ada Lovelace",
        Company="Analytical Engines",
        Email=email,
        Status=status,
        IsConverted="false",
        CreatedDate="2026-03-02T09:00:00.000+0000",
        LastModifiedDate=modified,
        SystemModstamp=modified,
    )
    return list(values.values())


def test_a_default_org_lead_export_loads_without_custom_fields(data_dir):
    write_csv(
        settings.landing_dir() / "crm" / DAY / "Lead.csv",
        DEFAULT_ORG_LEAD_HEADER,
        [
            default_org_lead(
                "00Q5g00000AbCdEEAV",
                "ada@engines.example",
                "Open - Not Contacted",
                "2026-03-02T10:15:00.000+0000",
            ),
        ],
    )
    load(CRM)
    # The custom roles are there, empty; the org's extra standard fields are kept.
    assert query(
        "select id, accepted_date__c, rejection_reason__c, mql_date__c, rating, "
        "salutation from raw_crm.leads"
    ) == [("00Q5g00000AbCdEEAV", None, None, None, None, None)]
    # Optional roles a default org lacks get their documented default.
    assert query("select is_deleted from raw_crm.leads") == [("false",)]


def test_salesforce_headers_match_whatever_their_case(data_dir):
    header = [c.upper() if i % 2 else c.lower() for i, c in enumerate(DEFAULT_ORG_LEAD_HEADER)]
    write_csv(
        settings.landing_dir() / "crm" / DAY / "Lead.csv",
        header,
        [
            default_org_lead(
                "00Q5g00000AbCdEEAV",
                "ada@engines.example",
                "Working - Contacted",
                "2026-03-02T10:15:00.000+0000",
            ),
        ],
    )
    load(CRM)
    assert query("select id, status, email, system_modstamp from raw_crm.leads") == [
        (
            "00Q5g00000AbCdEEAV",
            "Working - Contacted",
            "ada@engines.example",
            "2026-03-02T10:15:00.000000Z",
        )
    ]


def test_an_orgs_own_custom_fields_constants_and_absent_roles_come_from_the_mapping(
    data_dir, tmp_path, monkeypatch
):
    write_mapping(
        tmp_path,
        monkeypatch,
        """
version: 1
systems:
  crm:
    tables:
      leads:
        columns:
          MQL_Date__c: [Marketing_Qualified_On__c, MQL_Date__c]
          Accepted_Date__c: sal_date__C
          Rejection_Reason__c: null
          LeadSource: {constant: Partner Referral}
      opportunities:
        file: Opportunities_export.csv
""",
    )
    header = [
        *DEFAULT_ORG_LEAD_HEADER,
        "Marketing_Qualified_On__c",
        "SAL_Date__c",
        "Rejection_Reason__c",
    ]
    row = default_org_lead(
        "00Q5g00000AbCdEEAV",
        "ada@engines.example",
        "Working - Contacted",
        "2026-03-02T10:15:00.000+0000",
    )
    write_csv(
        settings.landing_dir() / "crm" / DAY / "Lead.csv",
        header,
        [
            [*row, "2026-03-02T09:30:00.000+0000", "2026-03-02T10:00:00.000+0000", "typo-ed"],
        ],
    )
    opportunity_header = [
        "Id",
        "AccountId",
        "Name",
        "StageName",
        "CloseDate",
        "IsClosed",
        "IsWon",
        "CreatedDate",
        "LastModifiedDate",
        "SystemModstamp",
    ]
    write_csv(
        settings.landing_dir() / "crm" / DAY / "Opportunities_export.csv",
        opportunity_header,
        [
            [
                "006000000000001AAA",
                "001000000000001AAA",
                "Deal",
                "Value Proposition",
                "2026-04-30",
                "false",
                "false",
                "2026-03-02T11:00:00.000+0000",
                "2026-03-02T11:00:00.000+0000",
                "2026-03-02T11:00:00.000+0000",
            ]
        ],
    )
    load(CRM)
    assert query(
        "select mql_date__c, accepted_date__c, rejection_reason__c, lead_source from raw_crm.leads"
    ) == [("2026-03-02T09:30:00.000000Z", "2026-03-02T10:00:00.000000Z", None, "Partner Referral")]
    assert query("select stage_name, loss_reason__c from raw_crm.opportunities") == [
        ("Value Proposition", None)
    ]


def test_every_missing_role_of_every_file_is_reported_in_one_message(data_dir):
    write_csv(
        settings.landing_dir() / "crm" / DAY / "Lead.csv", ["Id", "LastName", "CreatedDate"], []
    )
    write_csv(settings.landing_dir() / "crm" / DAY / "Account.csv", ["Id", "Name"], [])
    checks, _ = preflight.check_system(CRM, values=False)
    message = preflight.missing_roles_message(checks, settings.source_mapping_path())
    assert message is not None
    lead_line = next(line for line in message.splitlines() if "Lead.csv" in line)
    account_line = next(line for line in message.splitlines() if "Account.csv" in line)
    for role in ("Email", "Status", "IsConverted", "LastModifiedDate", "SystemModstamp"):
        assert role in lead_line
    for role in ("CreatedDate", "LastModifiedDate", "SystemModstamp"):
        assert role in account_line
    assert "Id," not in lead_line and "LastName" not in lead_line
    # The load itself refuses the source as a whole, naming the files too.
    with pytest.raises(PipelineStepFailed) as failure:
        export_pipeline(CRM).run(source_for(CRM))
    assert "Lead.csv" in str(export_file_error(failure.value))


def test_tables_without_a_loadable_row_exist_empty_and_typed(data_dir):
    write_csv(settings.landing_dir() / "crm" / DAY / "Lead.csv", DEFAULT_ORG_LEAD_HEADER, [])
    write_csv(
        settings.landing_dir() / "crm" / DAY / "Account.csv",
        ["Id", "Name", "CreatedDate", "LastModifiedDate", "SystemModstamp"],
        [
            [
                "",
                "No key",
                "2026-03-02T09:00:00.000+0000",
                "2026-03-02T09:00:00.000+0000",
                "2026-03-02T09:00:00.000+0000",
            ]
        ],
    )
    load(CRM)
    counts = table_counts(CRM.dataset)
    for table in CRM.tables:
        assert counts.get(table.name) == 0, table.name
    columns = dict(
        query(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'raw_crm' and table_name = 'lead_history'"
        )
    )
    assert columns["lead_id"] == "VARCHAR" and columns["new_value"] == "VARCHAR"
    assert columns["_modified_at"] == "TIMESTAMP WITH TIME ZONE"
    assert query("select reason from raw_crm.quarantined_rows") == [("missing primary key Id",)]


def test_timestamps_in_every_vendor_format_and_naive_ones_in_the_declared_zone(
    data_dir, tmp_path, monkeypatch
):
    write_mapping(
        tmp_path,
        monkeypatch,
        """
version: 1
systems:
  marketing_automation:
    time_zone: America/New_York
""",
    )
    header = [
        "id",
        "email",
        "createdate",
        "lastmodifieddate",
        "hs_lifecyclestage_lead_date",
        "hs_lifecyclestage_marketingqualifiedlead_date",
    ]
    write_csv(
        settings.landing_dir() / "marketing_automation" / DAY / "contacts.csv",
        header,
        [
            # v3 API: ISO with Z; legacy: epoch milliseconds; UI export: naive, portal zone.
            [
                "101",
                "a@x.example",
                "2026-03-02T09:00:00.000Z",
                "1772445600000",
                "1772442000",
                "2026-03-02 10:20:00",
            ],
            [
                "102",
                "b@x.example",
                "2026-03-02T09:00:00+0000",
                "2026-03-02T10:00:00+01:00",
                "2026-03-01",
                "3/2/2026 2:05 PM",
            ],
            ["103", "c@x.example", "2026-03-02T09:00:00Z", "not a date", "", ""],
        ],
    )
    load(MARKETING_AUTOMATION)
    # 1772445600000 ms = 2026-03-02 10:00:00 UTC; 1772442000 s = 09:00:00 UTC;
    # 10:20 in New York (EST, UTC-5) = 15:20 UTC; 2:05 PM = 19:05 UTC; 2026-03-01 = 05:00 UTC.
    assert query(
        "select hs_object_id, lastmodifieddate, hs_lifecyclestage_lead_date, "
        "hs_lifecyclestage_marketingqualifiedlead_date "
        "from raw_marketing_automation.contacts order by 1"
    ) == [
        (
            "101",
            "2026-03-02T10:00:00.000000Z",
            "2026-03-02T09:00:00.000000Z",
            "2026-03-02T15:20:00.000000Z",
        ),
        (
            "102",
            "2026-03-02T09:00:00.000000Z",
            "2026-03-01T05:00:00.000000Z",
            "2026-03-02T19:05:00.000000Z",
        ),
    ]
    assert query("select reason from raw_marketing_automation.quarantined_rows") == [
        ("unreadable lastmodifieddate: not a date",)
    ]
    # What was loaded means the same instant whatever the reading session's zone.
    with duckdb.connect(str(settings.warehouse_path()), read_only=True) as con:
        readings = set()
        for zone in ("UTC", "America/New_York", "Asia/Tokyo"):
            con.execute(f"set TimeZone = '{zone}'")
            readings.add(
                con.execute(
                    "select timezone('UTC', try_cast(hs_lifecyclestage_marketingqualifiedlead_date "
                    "as timestamptz)) from raw_marketing_automation.contacts "
                    "where hs_object_id = '101'"
                ).fetchone()[0]
            )
    assert readings == {dt.datetime(2026, 3, 2, 15, 20)}


def test_hubspot_ids_and_event_fields_in_their_api_shapes(data_dir):
    folder = settings.landing_dir() / "marketing_automation" / DAY
    # Legacy v1 contacts: vid; form submissions from the contact profile's list.
    write_csv(
        folder / "contacts.csv",
        ["vid", "email", "createdate", "lastmodifieddate"],
        [["2451", "ada@engines.example", "1772442000000", "1772442000000"]],
    )
    write_csv(
        folder / "form_submissions.csv",
        ["vid", "conversion-id", "timestamp", "form-id", "page-url", "title"],
        [
            [
                "2451",
                "f4d1c0de-0001",
                "1772443800000",
                "7d8c8f7e-5c3b-4a1e-9d2f-3e6b1a2c4d5e",
                "https://example.com/demo",
                "Book a demo",
            ]
        ],
    )
    # Email Events API: id, emailCampaignId, recipient; no contact id.
    write_csv(
        folder / "email_events.csv",
        ["id", "type", "recipient", "emailCampaignId", "created", "url"],
        [
            ["4c1a-77", "PROCESSED", "Ada@Engines.example", "12345", "1772443800000", ""],
            [
                "4c1a-78",
                "CLICK",
                "Ada@Engines.example",
                "12345",
                "1772447400000",
                "https://example.com/?utm_source=newsletter",
            ],
        ],
    )
    load(MARKETING_AUTOMATION)
    assert query("select hs_object_id from raw_marketing_automation.contacts") == [("2451",)]
    assert query(
        "select conversion_id, contact_id, form_id, form_name, submitted_at, email, "
        "form_type from raw_marketing_automation.form_submissions"
    ) == [
        (
            "f4d1c0de-0001",
            "2451",
            "7d8c8f7e-5c3b-4a1e-9d2f-3e6b1a2c4d5e",
            "Book a demo",
            "2026-03-02T09:30:00.000000Z",
            None,
            None,
        )
    ]
    assert query(
        "select event_id, email_campaign_id, contact_id, created "
        "from raw_marketing_automation.email_events order by 1"
    ) == [
        ("4c1a-77", "12345", None, "2026-03-02T09:30:00.000000Z"),
        ("4c1a-78", "12345", None, "2026-03-02T10:30:00.000000Z"),
    ]


def test_a_form_submission_without_conversion_id_is_keyed_by_its_content(data_dir):
    folder = settings.landing_dir() / "marketing_automation" / DAY
    # The Forms API's submissions: submittedAt, pageUrl and the submitted e-mail only.
    header = ["submittedAt", "formId", "pageUrl", "email"]
    rows = [
        ["1772443800000", "form-a", "https://example.com/a", "ada@engines.example"],
        ["1772443800000", "form-b", "https://example.com/b", "ada@engines.example"],
    ]
    write_csv(folder / "form_submissions.csv", header, rows)
    write_csv(
        settings.landing_dir() / "marketing_automation" / "2026-03-03" / "form_submissions.csv",
        header,
        rows[:1],
    )  # delivered again the next day
    load(MARKETING_AUTOMATION)
    keys = query(
        "select conversion_id, form_id from raw_marketing_automation.form_submissions "
        "order by form_id"
    )
    assert [form for _, form in keys] == ["form-a", "form-b"]
    assert len({key for key, _ in keys}) == 2 and all(len(key) == 32 for key, _ in keys)


def test_ga4_consent_pings_and_batch_fields_are_kept(data_dir, tmp_path, monkeypatch):
    write_mapping(
        tmp_path,
        monkeypatch,
        """
version: 1
systems:
  web_analytics:
    tables:
      events:
        columns:
          user_id_kind: {constant: none}
""",
    )
    params = [{"key": "page_location", "value": {"string_value": "https://example.com/"}}]
    rows = [
        {
            "event_date": "20260302",
            "event_timestamp": "1772442000000001",
            "event_name": "page_view",
            "event_params": params,
            "user_pseudo_id": "123.456",
            "batch_event_index": "1",
            "batch_page_id": "9",
            "batch_ordering_id": "3",
        },
        {
            "event_date": "20260302",
            "event_timestamp": "1772442000000001",
            "event_name": "page_view",
            "event_params": params,
            "user_pseudo_id": "123.456",
            "batch_event_index": "2",
            "batch_page_id": "9",
            "batch_ordering_id": "3",
        },
        # A cookieless ping of consent mode: no user_pseudo_id, no ga_session_id.
        {
            "event_date": "20260302",
            "event_timestamp": "1772442005000000",
            "event_name": "page_view",
            "event_params": params,
            "privacy_info": {"analytics_storage": "No", "ads_storage": "No"},
        },
    ]
    path = settings.landing_dir() / "web_analytics" / DAY / "events_20260302.json"
    path.parent.mkdir(parents=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    load(WEB_ANALYTICS)
    assert query(
        "select user_pseudo_id, batch_event_index, user_id_kind, "
        "json_extract_string(privacy_info, '$.analytics_storage') "
        "from raw_web_analytics.events order by event_timestamp, batch_event_index"
    ) == [
        ("123.456", "1", "none", None),
        ("123.456", "2", "none", None),
        (None, None, "none", "No"),
    ]


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        (
            "version: 1\nsystems: {crm: {tables: {leads: {columns: {Accepted_Date_c: X}}}}}",
            "did you mean Accepted_Date__c?",
        ),
        (
            "version: 1\nsystems: {crm: {tables: {leads: {columns: {Email: null}}}}}",
            "a required role can't be absent",
        ),
        ("version: 1\nsystems: {crm: {time_zone: Mars/Olympus}}", "unknown time zone"),
        ("version: 1\nsystems: {erp: {}}", "unknown system 'erp'"),
        ("version: 1\nsystems: {crm: {tables: {Lead: {}}}}", "unknown table 'Lead'"),
    ],
)
def test_a_broken_mapping_fails_naming_the_problem(tmp_path, text, complaint):
    path = tmp_path / "mapping.yml"
    path.write_text(text)
    with pytest.raises(MappingError) as failure:
        load_mapping(path)
    assert complaint in str(failure.value) and str(path) in str(failure.value)


def test_the_shipped_mapping_is_valid():
    mapping = load_mapping()
    assert mapping.system("crm").time_zone == "UTC"


def test_preflight_prints_what_is_missing_unknown_and_unparseable(data_dir, capsys):
    folder = settings.landing_dir() / "crm" / DAY
    write_csv(
        folder / "Lead.csv",
        DEFAULT_ORG_LEAD_HEADER,
        [
            default_org_lead(
                "00Q5g00000AbCdEEAV",
                "ada@engines.example",
                "Open - Not Contacted",
                "yesterday at noon",
            ),
        ],
    )
    write_csv(
        folder / "Account.csv",
        ["Id", "Account_Name", "CreatedDate", "LastModifiedDate", "SystemModstamp"],
        [],
    )
    (folder / "Notes.csv").write_text("Id\n")
    assert preflight.main([]) == 1
    out = capsys.readouterr().out
    lead_block = out.split(str(folder / "Lead.csv"))[1].split("\n\n")[0]
    assert "unparseable SystemModstamp: 1 value(s), e.g. 'yesterday at noon'" in lead_block
    assert "unparseable LastModifiedDate: 1 value(s)" in lead_block
    assert "absent optional Accepted_Date__c: from the Lead Status changes" in lead_block
    assert "columns no role uses (loaded as they come): Salutation, Name, City" in lead_block
    account_block = out.split(str(folder / "Account.csv"))[1].split("\n\n")[0]
    assert "CAN'T LOAD" in account_block and "missing required: Name" in account_block
    assert f"{folder / 'Notes.csv'}: no table reads this file" in out
    mapping_lines = out.split("Add to ")[1].splitlines()
    assert mapping_lines[1:6] == [
        "systems:",
        "  crm:",
        "    tables:",
        "      accounts:",
        "        columns:",
    ]
    assert mapping_lines[6] == "          Name: Account_Name"
