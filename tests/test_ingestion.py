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


def _lead_file(day: str, lead_id: str, modified: str) -> Path:
    path = settings.landing_dir() / "crm" / day / "Lead.csv"
    write_csv(
        path,
        LEAD_HEADER,
        [lead(Id=lead_id, Status="Open - Not Contacted", SystemModstamp=modified)],
    )
    return path


def test_a_late_drop_with_older_file_times_still_loads(data_dir):
    """Out-of-order delivery, `cp -p`, `rsync -a` and `tar x` keep old modification times:
    a drop whose files are older than the newest file loaded must load all the same."""
    newest = _lead_file("2026-01-02", "00Q000000000000002", "2026-01-02T09:00:00.000+0000")
    load(CRM)
    late = _lead_file("2026-01-01", "00Q000000000000001", "2026-01-01T09:00:00.000+0000")
    an_hour_earlier = newest.stat().st_mtime - 3600
    os.utime(late, (an_hour_earlier, an_hour_earlier))

    load(CRM)
    assert query("select id from raw_crm.leads order by id") == [
        ("00Q000000000000001",),
        ("00Q000000000000002",),
    ]
    assert query("select file_path from raw_crm.loaded_files order by 1") == [
        ("2026-01-01/Lead.csv",),
        ("2026-01-02/Lead.csv",),
    ]


def test_an_identical_redelivery_loads_nothing_and_a_corrected_file_loads(data_dir):
    path = _lead_file("2026-01-01", "00Q000000000000001", "2026-01-01T09:00:00.000+0000")
    load(CRM)
    loads_before = query("select count(*) from raw_crm._dlt_loads")

    content = path.read_bytes()
    path.unlink()
    path.write_bytes(content)  # the same bytes again, a new modification time
    os.utime(path, (path.stat().st_mtime + 60, path.stat().st_mtime + 60))
    assert load(CRM) == {}
    assert query("select count(*) from raw_crm._dlt_loads") == loads_before

    _lead_file("2026-01-01", "00Q000000000000001", "2026-01-01T10:00:00.000+0000")  # corrected
    assert load(CRM)["leads"] == 1
    assert query("select system_modstamp from raw_crm.leads") == [("2026-01-01T10:00:00.000000Z",)]
    assert query("select count(*) from raw_crm.loaded_files") == [(2,)]


def test_a_data_dir_from_before_the_ledger_reads_none_of_its_loaded_files_again(data_dir):
    """Upgrading a data dir whose loads predate the ledger (raw rows, no loaded_files): the
    files its raw tables came from count as loaded, so GA4 events are not appended twice;
    a new day's file and a corrected file at a path the ledger lists still load."""
    import duckdb

    lead = _lead_file("2026-01-01", "00Q000000000000001", "2026-01-01T09:00:00.000+0000")
    day = settings.landing_dir() / "web_analytics"
    hit = {"event_date": "20260101", "event_name": "page_view", "user_pseudo_id": "1.2"}
    (day / "2026-01-01").mkdir(parents=True)
    (day / "2026-01-01" / "events_20260101.json").write_text(
        json.dumps(hit | {"event_timestamp": "1767258000000000"}) + "\n"
    )
    load(CRM)
    load(WEB_ANALYTICS)
    with duckdb.connect(str(settings.warehouse_path())) as con:  # as before the ledger
        con.execute("delete from raw_crm.loaded_files")
        con.execute("delete from raw_web_analytics.loaded_files")
    os.utime(lead, (lead.stat().st_mtime + 60, lead.stat().st_mtime + 60))

    assert load(CRM) == {}
    assert load(WEB_ANALYTICS) == {}
    assert query("select count(*) from raw_web_analytics.events") == [(1,)]

    (day / "2026-01-02").mkdir()
    (day / "2026-01-02" / "events_20260102.json").write_text(
        json.dumps(hit | {"event_date": "20260102", "event_timestamp": "1767344400000000"}) + "\n"
    )
    assert load(WEB_ANALYTICS)["events"] == 1
    assert query("select count(*) from raw_web_analytics.events") == [(2,)]
    _lead_file("2026-01-02", "00Q000000000000001", "2026-01-02T09:00:00.000+0000")
    assert load(CRM)["leads"] == 1
    _lead_file("2026-01-02", "00Q000000000000001", "2026-01-02T10:00:00.000+0000")  # corrected
    assert load(CRM)["leads"] == 1
    assert query("select system_modstamp from raw_crm.leads") == [("2026-01-02T10:00:00.000000Z",)]


def test_an_older_export_resent_later_never_replaces_a_newer_record(data_dir):
    _lead_file("2026-01-02", "00Q000000000000001", "2026-01-02T09:00:00.000+0000")
    load(CRM)
    # The day-1 export arrives after day 2 (re-sent, or late): its version is older.
    _lead_file("2026-01-01", "00Q000000000000001", "2026-01-01T09:00:00.000+0000")
    load(CRM)
    assert query("select system_modstamp from raw_crm.leads") == [("2026-01-02T09:00:00.000000Z",)]
    # A newer version still wins.
    _lead_file("2026-01-03", "00Q000000000000001", "2026-01-03T09:00:00.000+0000")
    load(CRM)
    assert query("select system_modstamp from raw_crm.leads") == [("2026-01-03T09:00:00.000000Z",)]


def test_a_modified_time_in_the_future_is_quarantined_not_the_winner(data_dir):
    _lead_file("2026-01-01", "00Q000000000000001", "2099-01-15T09:00:00.000+0000")
    _lead_file("2026-01-02", "00Q000000000000002", "2026-01-02T09:00:00.000+0000")
    load(CRM)
    assert query("select id from raw_crm.leads") == [("00Q000000000000002",)]
    [(reason,)] = query("select reason from raw_crm.quarantined_rows")
    assert reason.startswith("implausible SystemModstamp, in the future: 2099-01-15")


def test_odd_day_folders_and_links_out_are_refused_by_name_and_empty_files_are_quiet(
    data_dir, tmp_path
):
    _lead_file("2026-01-01", "00Q000000000000001", "2026-01-01T09:00:00.000+0000")
    odd = _lead_file("15-01-2026 (resent)", "00Q000000000000002", "2026-01-15T09:00:00.000+0000")
    outside = tmp_path / "elsewhere" / "Lead.csv"
    outside.parent.mkdir()
    outside.write_bytes(odd.read_bytes())
    linked = settings.landing_dir() / "crm" / "2026-01-02" / "Lead.csv"
    linked.parent.mkdir()
    linked.symlink_to(outside)
    empty = settings.landing_dir() / "crm" / "2026-01-03" / "Lead.csv"
    empty.parent.mkdir()
    empty.write_bytes(b"")  # a 0-byte export: a quiet day, not a broken source

    load(CRM)
    assert query("select id from raw_crm.leads") == [("00Q000000000000001",)]
    reasons = sorted(r for (r,) in query("select reason from raw_crm.quarantined_rows"))
    assert reasons == [
        f"refused: a link out of the landing folder ({settings.landing_dir() / 'crm'})",
        "refused: day folder '15-01-2026 (resent)' is not named YYYY-MM-DD",
    ]


def test_latin_1_bytes_are_quarantined_with_their_line_never_published_as_replacements(
    data_dir,
):
    path = settings.landing_dir() / "crm" / "2026-01-01" / "Lead.csv"
    modified = "2026-01-01T09:00:00.000+0000"
    write_csv(
        path,
        LEAD_HEADER,
        [
            lead(Id="00Q000000000000001", Email="miller@acme.com", SystemModstamp=modified),
            lead(Id="00Q000000000000002", Email="müller@acme.com", SystemModstamp=modified),
        ],
    )
    header, first, second = path.read_text(encoding="utf-8").splitlines()
    # the second record as a Latin-1 system writes it: ü is the single byte 0xfc
    path.write_bytes(f"{header}\n{first}\n".encode() + f"{second}\n".encode("latin-1"))

    load(CRM)
    assert query("select id, email from raw_crm.leads") == [
        ("00Q000000000000001", "miller@acme.com")
    ]
    [(line, reason, record)] = query(
        "select line_number, reason, record from raw_crm.quarantined_rows"
    )
    assert line == 3 and reason.startswith("undecodable bytes, not UTF-8")
    assert "m\\xfcller@acme.com" in record  # the byte itself, visible, never a U+FFFD


def _gzipped_ga4_hit(file_name: str) -> Path:
    """One GA4 page view of 1 Jan 2026, gzip-compressed, as `file_name` in that day's folder."""
    import gzip

    web = settings.landing_dir() / "web_analytics" / "2026-01-01" / file_name
    web.parent.mkdir(parents=True)
    hit = {
        "event_date": "20260101",
        "event_timestamp": "1767258000000000",
        "event_name": "page_view",
        "user_pseudo_id": "1.2",
    }
    web.write_bytes(gzip.compress((json.dumps(hit) + "\n").encode()))
    return web


def test_gzip_compressed_exports_are_read_and_other_names_are_not(data_dir):
    import gzip

    plain = _lead_file("2026-01-01", "00Q000000000000001", "2026-01-01T09:00:00.000+0000")
    compressed = _lead_file("2026-01-02", "00Q000000000000002", "2026-01-02T09:00:00.000+0000")
    compressed.with_name("Lead.csv.gz").write_bytes(gzip.compress(compressed.read_bytes()))
    compressed.rename(compressed.with_name("Lead.csv.bak"))  # a backup copy: not an export
    _gzipped_ga4_hit("events_20260101.json.gz")

    load(CRM)
    load(WEB_ANALYTICS)
    assert query("select id from raw_crm.leads order by 1") == [
        ("00Q000000000000001",),
        ("00Q000000000000002",),
    ]
    assert query("select event_name, user_pseudo_id from raw_web_analytics.events") == [
        ("page_view", "1.2")
    ]
    assert plain.exists()


def test_gzip_bytes_under_a_plain_name_are_read_as_gzip(data_dir):
    """A Lead.csv and an events_*.json that hold gzip (a gateway that compresses without
    renaming) are judged by their bytes: their records load like the same files named .gz,
    next to a plain file of another day, and the preflight reads their header."""
    import gzip

    from ingestion.preflight import check_system

    _lead_file("2026-01-01", "00Q000000000000001", "2026-01-01T09:00:00.000+0000")
    packed = _lead_file("2026-01-02", "00Q000000000000002", "2026-01-02T09:00:00.000+0000")
    packed.write_bytes(gzip.compress(packed.read_bytes()))
    _gzipped_ga4_hit("events_20260101.json")  # gzip under a plain name

    checks, _ = check_system(CRM)
    assert [c.error for c in checks if c.path == packed] == [None]
    load(CRM)
    load(WEB_ANALYTICS)
    assert query("select id from raw_crm.leads order by 1") == [
        ("00Q000000000000001",),
        ("00Q000000000000002",),
    ]
    assert query("select event_name, user_pseudo_id from raw_web_analytics.events") == [
        ("page_view", "1.2")
    ]


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


def test_a_required_date_outside_the_plausible_window_is_quarantined(data_dir):
    """A lead re-sent created in 2099 (modified a day later) cannot be placed in time: it
    is kept apart with the column and the value, and the version before it stays."""
    for day, created, modified in (
        ("2026-01-01", "2026-01-01T08:00:00.000+0000", "2026-01-01T09:00:00.000+0000"),
        ("2026-01-02", "2099-01-15T09:00:00.000+0000", "2026-01-02T09:00:00.000+0000"),
    ):
        write_csv(
            settings.landing_dir() / "crm" / day / "Lead.csv",
            LEAD_HEADER,
            [lead(Id="00Q000000000000001", CreatedDate=created, SystemModstamp=modified)],
        )
        load(CRM)
    assert query("select created_date, system_modstamp from raw_crm.leads") == [
        ("2026-01-01T08:00:00.000000Z", "2026-01-01T09:00:00.000000Z")
    ]
    [(reason,)] = query("select reason from raw_crm.quarantined_rows")
    assert reason == (
        "implausible CreatedDate, outside the plausible window: 2099-01-15T09:00:00.000000Z"
    )


def test_a_table_no_file_filled_yet_has_the_columns_a_load_gives_it(data_dir):
    """A CRM without opportunities yet: the empty raw table names its custom fields as a
    load of Opportunity.csv would (Loss_Reason__c -> loss_reason__c), so staging reads it."""
    _lead_file("2026-01-01", "00Q000000000000001", "2026-01-01T09:00:00.000+0000")
    load(CRM)
    columns = {
        name
        for (name,) in query(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw_crm' and table_name = 'opportunities'"
        )
    }
    assert {"loss_reason__c", "close_date", "amount"} <= columns
    leads = {
        name
        for (name,) in query(
            "select column_name from information_schema.columns "
            "where table_schema = 'raw_crm' and table_name = 'leads'"
        )
    }
    assert {"mql_date__c", "accepted_date__c"} <= leads


def test_a_stored_table_lacking_a_role_of_the_contract_gains_it_empty(data_dir):
    """A raw table loaded by a version whose contract had no such role, and no file since:
    after the next load it has the column (empty), so staging reads it, and a later file
    fills it."""
    import duckdb

    _lead_file("2026-01-01", "00Q000000000000001", "2026-01-01T09:00:00.000+0000")
    load(CRM)
    with duckdb.connect(str(settings.warehouse_path())) as con:  # as an older version left it
        con.execute("alter table raw_crm.leads drop column accepted_date__c")

    load(CRM)  # nothing new to read
    assert query("select id, accepted_date__c from raw_crm.leads") == [("00Q000000000000001", None)]
    _lead_file("2026-01-02", "00Q000000000000001", "2026-01-02T09:00:00.000+0000")
    assert load(CRM)["leads"] == 1


def test_a_0_byte_export_after_earlier_loads_is_a_quiet_day(data_dir):
    """The same empty drop as above, but arriving after a day that loaded: the raw table
    exists by then, and the empty file still adds nothing and breaks nothing."""
    _lead_file("2026-01-01", "00Q000000000000001", "2026-01-01T09:00:00.000+0000")
    load(CRM)
    empty = settings.landing_dir() / "crm" / "2026-01-02" / "Lead.csv"
    empty.parent.mkdir()
    empty.write_bytes(b"")

    from ingestion.preflight import check_system

    # the header check the load asset runs first lets it through, as the load reads it
    assert [c.blocks_loading for c in check_system(CRM)[0] if c.path == empty] == [False]
    load(CRM)
    assert query("select id from raw_crm.leads") == [("00Q000000000000001",)]
    assert table_counts(CRM.dataset).get("quarantined_rows", 0) == 0


def test_a_data_dir_with_a_hash_in_its_path_is_refused_by_name(monkeypatch, tmp_path):
    """dbt-duckdb names the database from the warehouse path read as a URL: under
    `.../case #1/data` every model failed with 'case  is not a catalog or schema'."""
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(tmp_path / "case #1" / "data"))
    with pytest.raises(ValueError, match="choose a folder without '#'"):
        settings.warehouse_path()
