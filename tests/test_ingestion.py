"""The dlt sources: incremental, idempotent, latest-wins merges, and bad input kept apart."""

import csv
import json
import os
from pathlib import Path

import fsspec
import pytest
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion import settings
from ingestion.demo_exports import generate_next_day
from ingestion.exports import CRM, MARKETING_AUTOMATION, SYSTEMS, WEB_ANALYTICS
from ingestion.sources import (
    ExportFileError,
    create_empty_tables,
    export_file_error,
    export_pipeline,
    source_for,
)
from tests.conftest import query, table_counts


def load(system) -> dict[str, int]:
    """Run one source as the load asset does; return the rows normalized per table."""
    pipeline = export_pipeline(system)
    pipeline.run(source_for(system))
    create_empty_tables(system)
    counts = pipeline.last_trace.last_normalize_info.row_counts
    return {t: n for t, n in counts.items() if not t.startswith("_dlt")}


def write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def lead(**values) -> dict:
    return {column: values.get(column, "") for column in CRM.table("leads").required_columns}


LEAD_HEADER = list(CRM.table("leads").required_columns)


def test_every_raw_table_loads_from_generated_exports(landing):
    for system in SYSTEMS:
        load(system)
        counts = table_counts(system.dataset)
        for table in system.tables:
            if table.optional_file:  # the demo org doesn't export LeadHistory
                continue
            assert counts.get(table.name, 0) > 0, f"{system.dataset}.{table.name} is empty"


def test_loading_the_same_exports_twice_changes_nothing(landing):
    before = {}
    for system in SYSTEMS:
        load(system)
        before[system.name] = table_counts(system.dataset)
    for system in SYSTEMS:
        assert load(system) == {}, f"{system.name} re-read files it had already loaded"
        assert table_counts(system.dataset) == before[system.name]


def test_a_next_day_drop_loads_only_the_new_files(landing):
    for system in SYSTEMS:
        load(system)
    days_before = {p.name for p in (landing / "crm").iterdir() if p.is_dir()}
    generate_next_day(landing)
    new_days = {p.name for p in (landing / "crm").iterdir() if p.is_dir()} - days_before
    assert len(new_days) == 1
    new_day = new_days.pop()

    for system in SYSTEMS:
        loaded = load(system)
        assert loaded, f"{system.name}: the new day brought no rows"
        for table in system.tables:
            files = query(
                f'select distinct _source_file from "{system.dataset}"."{table.name}" '
                f"where _dlt_load_id = (select max(load_id) from "
                f'"{system.dataset}"._dlt_loads)'
            )
            assert all(f"/{new_day}/" in f for (f,) in files), (system.name, table.name, files)


def test_the_latest_version_wins_by_modified_timestamp_not_file_order(data_dir):
    day1 = settings.landing_dir() / "crm" / "2026-01-01" / "Lead.csv"
    day2 = settings.landing_dir() / "crm" / "2026-01-02" / "Lead.csv"
    write_csv(
        day1,
        LEAD_HEADER,
        [
            lead(
                Id="00Q000000000000001",
                Status="Open - Not Contacted",
                SystemModstamp="2026-01-01T10:00:00.000+0000",
            ),
            # the same record exported twice in one file
            lead(
                Id="00Q000000000000001",
                Status="Open - Not Contacted",
                SystemModstamp="2026-01-01T10:00:00.000+0000",
            ),
        ],
    )
    # In day 2 the newest version comes first and an older one last.
    write_csv(
        day2,
        LEAD_HEADER,
        [
            lead(
                Id="00Q000000000000001",
                Status="Accepted",
                SystemModstamp="2026-01-02T09:00:00.000+0000",
            ),
            lead(
                Id="00Q000000000000001",
                Status="Working - Contacted",
                SystemModstamp="2026-01-01T23:00:00.000+0000",
            ),
        ],
    )
    load(CRM)
    assert query("select id, status from raw_crm.leads") == [("00Q000000000000001", "Accepted")]


def test_a_later_update_replaces_the_earlier_version(data_dir):
    landing = settings.landing_dir() / "crm"
    write_csv(
        landing / "2026-01-01" / "Lead.csv",
        LEAD_HEADER,
        [
            lead(
                Id="00Q000000000000001",
                Status="Open - Not Contacted",
                SystemModstamp="2026-01-01T10:00:00.000+0000",
            ),
            lead(
                Id="00Q000000000000002",
                Status="Open - Not Contacted",
                SystemModstamp="2026-01-01T11:00:00.000+0000",
            ),
        ],
    )
    load(CRM)
    write_csv(
        landing / "2026-01-02" / "Lead.csv",
        LEAD_HEADER,
        [
            lead(
                Id="00Q000000000000002",
                Status="Qualified",
                SystemModstamp="2026-01-02T08:00:00.000+0000",
            ),
        ],
    )
    load(CRM)
    assert query("select id, status from raw_crm.leads order by id") == [
        ("00Q000000000000001", "Open - Not Contacted"),
        ("00Q000000000000002", "Qualified"),
    ]


def test_a_missing_required_column_fails_the_source_naming_file_and_column(landing):
    broken = landing / "crm" / sorted(os.listdir(landing / "crm"))[-1] / "Opportunity.csv"
    with broken.open() as handle:
        rows = list(csv.DictReader(handle))
    header = [c for c in CRM.table("opportunities").required_columns if c != "StageName"]
    write_csv(broken, header, [{c: r[c] for c in header} for r in rows])

    with pytest.raises(PipelineStepFailed) as failure:
        load(CRM)
    cause = export_file_error(failure.value)
    assert isinstance(cause, ExportFileError)
    message = str(cause)
    assert str(broken) in message and "StageName" in message
    # Nothing of the failed source was published.
    assert table_counts(CRM.dataset) == {}


def test_unparseable_rows_are_quarantined_with_file_line_and_reason(landing):
    day = sorted(p.name for p in (landing / "crm").iterdir() if p.is_dir())[0]
    leads_file = landing / "crm" / day / "Lead.csv"
    good_rows = sum(1 for _ in csv.DictReader(leads_file.open()))
    with leads_file.open("a") as handle:
        handle.write('00Q9,"an unterminated quote\n')
    line_of_bad_row = good_rows + 2  # the header is line 1

    web_day = sorted((landing / "web_analytics").iterdir())[0]
    events_file = next(web_day.glob("events_*.json"))
    with events_file.open("a") as handle:
        handle.write('{"event_date": "2026\n')
    events_lines = sum(1 for _ in events_file.open())

    load(CRM)
    load(WEB_ANALYTICS)
    assert query(
        "select _source_file, line_number, reason, record "
        "from raw_crm.quarantined_rows where table_name = 'leads'"
    ) == [
        (
            str(leads_file),
            line_of_bad_row,
            "unparseable CSV: unexpected end of data",
            '00Q9,"an unterminated quote\n',
        )
    ]
    assert query(
        "select _source_file, line_number, reason from raw_web_analytics.quarantined_rows"
    ) == [(str(events_file), events_lines, "malformed JSON")]
    # Everything else in those files still loaded.
    assert query(
        f"select count(*) from raw_web_analytics.events where _source_file = '{events_file}'"
    ) == [(events_lines - 1,)]
    assert query(f"select count(*) > 0 from raw_crm.leads where _source_file = '{leads_file}'") == [
        (True,)
    ]


def test_a_keyed_row_without_its_key_or_modified_time_is_quarantined(data_dir):
    write_csv(
        settings.landing_dir() / "crm" / "2026-01-01" / "Lead.csv",
        LEAD_HEADER,
        [
            lead(Id="00Q000000000000001", SystemModstamp="2026-01-01T10:00:00.000+0000"),
            lead(Id="", Email="nokey@example.com", SystemModstamp="2026-01-01T10:00:00.000+0000"),
            lead(Id="00Q000000000000003", SystemModstamp="yesterday"),
        ],
    )
    load(CRM)
    assert query("select id from raw_crm.leads") == [("00Q000000000000001",)]
    reasons = query("select reason from raw_crm.quarantined_rows order by reason")
    assert reasons == [("missing primary key Id",), ("unreadable SystemModstamp: yesterday",)]


def test_an_unknown_column_is_added_not_dropped(data_dir):
    header = [*LEAD_HEADER, "Lead_Grade__c"]
    write_csv(
        settings.landing_dir() / "crm" / "2026-01-01" / "Lead.csv",
        header,
        [
            {
                **lead(Id="00Q000000000000001", SystemModstamp="2026-01-01T10:00:00.000+0000"),
                "Lead_Grade__c": "A",
            },
        ],
    )
    load(CRM)
    assert query("select lead_grade__c from raw_crm.leads") == [("A",)]


def test_web_events_keep_their_nested_params(landing):
    load(WEB_ANALYTICS)
    first_file = sorted((landing / "web_analytics").glob("*/events_*.json"))[0]
    with first_file.open() as handle:
        first = json.loads(next(line for line in handle if line.strip()))
    params = query(
        "select event_params from raw_web_analytics.events "
        "where user_pseudo_id = ? and event_timestamp = ? and event_name = ? limit 1",
        [first["user_pseudo_id"], str(first["event_timestamp"]), first["event_name"]],
    )
    assert json.loads(params[0][0]) == first["event_params"]


@pytest.mark.parametrize("system", [MARKETING_AUTOMATION, CRM])
def test_keyed_tables_hold_one_row_per_vendor_key(landing, system):
    load(system)
    for table in system.tables:
        key = table.primary_key.lower()
        duplicates = query(
            f'select count(*) - count(distinct {key}) from "{system.dataset}"."{table.name}"'
        )
        assert duplicates == [(0,)], f"{table.name} has duplicate {key}"


def test_exports_load_from_a_non_local_filesystem_by_configuration(landing, monkeypatch):
    """fsspec's in-memory filesystem stands in for an object store: only the URL changes."""
    memory = fsspec.filesystem("memory")
    root = f"/landing-{os.getpid()}/crm"
    try:
        for path in (landing / "crm").rglob("*.csv"):
            memory.pipe(f"{root}/{path.relative_to(landing / 'crm')}", path.read_bytes())
        monkeypatch.setenv("SOURCES__CRM__BUCKET_URL", f"memory://{root}")
        loaded = load(CRM)
    finally:
        memory.rm(root.rsplit("/", 1)[0], recursive=True)
    local_rows = sum(
        sum(1 for _ in csv.DictReader(path.open())) for path in (landing / "crm").glob("*/Lead.csv")
    )
    assert loaded["leads"] == local_rows > 0
    files = query("select distinct _source_file from raw_crm.leads")
    assert files and all(f.startswith("memory://") for (f,) in files)
