"""Rules of the dbt models at their edges, on the vendor-shaped exports
(tests/fixtures/vendor) plus the few rows each rule is about, built by the refresh job.

- A web gap of the session timeout plus one microsecond starts a new session, and the
  build's own test of the gap agrees with the model (GA4 timestamps are microseconds).
- A sales touch counts from the moment it happened (a Task's completion, an Event's
  start), never before: a meeting booked for next week is no touch yet, neither in the
  customer journey nor in the SLA.
"""

import csv
import datetime as dt
import json

import pytest

from ingestion import settings
from tests.conftest import failed_steps, land_vendor_exports, query, run_refresh

# A browser's two page views 30 minutes and 1 microsecond apart (the agreed timeout is 30).
GAP_CLIENT_ID = "555000111.1772442000"
GAP_FIRST_EVENT_MICROS = 1772442000101234  # 2026-03-02 09:00:00.101234 UTC
GAP_SECOND_EVENT_MICROS = GAP_FIRST_EVENT_MICROS + 30 * 60 * 1_000_000 + 1

# Grace Liu's lead (Open - Not Contacted, then Working - Contacted on 2026-03-03) gets a
# meeting booked on the last day of the exports for the Monday after.
BOOKED_EVENT_ID = "00UHs000002vZz9MAE"
GRACE_LEAD_ID = "00QHs000007mGg7MAE"
BOOKED_AT = "2026-03-03T10:30:00.000+0000"
MEETING_STARTS_AT = "2026-03-09T15:00:00.000+0000"


def _add_web_gap(landing) -> None:
    day = landing / "web_analytics" / "2026-03-02"
    template = json.loads((day / "events_20260302.json").read_text().splitlines()[0])
    lines = []
    for index, micros in enumerate((GAP_FIRST_EVENT_MICROS, GAP_SECOND_EVENT_MICROS), 1):
        event = dict(
            template,
            event_name="page_view",
            event_timestamp=str(micros),
            user_pseudo_id=GAP_CLIENT_ID,
            user_id=None,
            batch_event_index=str(index),
        )
        lines.append(json.dumps(event))
    (day / "events_20260302_gap.json").write_text("\n".join(lines) + "\n")


def _add_booked_meeting(landing) -> None:
    events = landing / "crm" / "2026-03-03" / "Event.csv"
    template_file = landing / "crm" / "2026-03-02" / "Event.csv"
    with template_file.open(newline="") as handle:
        reader = csv.DictReader(handle)
        header, template = reader.fieldnames, next(reader)
    row = dict(
        template,
        ID=BOOKED_EVENT_ID,
        WHOID=GRACE_LEAD_ID,
        WHATID="",
        WHATCOUNT="0",
        ACCOUNTID="",
        SUBJECT="Demo next week",
        ACTIVITYDATETIME=MEETING_STARTS_AT,
        ACTIVITYDATE="2026-03-09",
        STARTDATETIME=MEETING_STARTS_AT,
        ENDDATETIME="2026-03-09T16:00:00.000+0000",
        ENDDATE="2026-03-09",
        CREATEDDATE=BOOKED_AT,
        LASTMODIFIEDDATE=BOOKED_AT,
        SYSTEMMODSTAMP=BOOKED_AT,
    )
    with events.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerow(row)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The vendor exports plus the rows above through the refresh job: (data dir, failed steps)."""
    root = tmp_path_factory.mktemp("rules") / "data"
    land_vendor_exports(root / "landing")
    _add_web_gap(root / "landing")
    _add_booked_meeting(root / "landing")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(settings.DATA_DIR_ENV, str(root))
        settings.apply_environment()
        result = run_refresh()
    return root, failed_steps(result)


@pytest.fixture(autouse=True)
def _data_dir(built, monkeypatch):
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(built[0]))


def test_a_gap_of_the_timeout_plus_a_microsecond_splits_the_session_and_the_build_passes(built):
    _, failed_steps = built
    assert not {step for step in failed_steps if step.startswith("transform")}, failed_steps
    # two sessions of one event each; the second starts 1800.000001 s after the first ended
    assert query(
        "select session_number, started_at, previous_session_ended_at, "
        "seconds_since_previous_session "
        "from intermediate.int_web_sessions_sessionized where client_id = ? order by 1",
        [GAP_CLIENT_ID],
    ) == [
        (1, dt.datetime(2026, 3, 2, 9, 0, 0, 101234), None, None),
        (
            2,
            dt.datetime(2026, 3, 2, 9, 30, 0, 101235),
            dt.datetime(2026, 3, 2, 9, 0, 0, 101234),
            1800.000001,
        ),
    ]


def test_a_meeting_booked_for_next_week_is_no_touch_yet(built):
    # staged, with its start a week after the last change in the CRM export
    assert query(
        "select starts_at from staging.stg_crm__events where event_id = ?", [BOOKED_EVENT_ID]
    ) == [(dt.datetime(2026, 3, 9, 15, 0),)]
    # not in Grace's timeline
    assert query(
        "select count(*) from marts.customer_journey where source_record_id = ?",
        [BOOKED_EVENT_ID],
    ) == [(0,)]
    # and not her first touch in the SLA: that is the call of 2026-03-03 10:15 ... or none
    sla = query(
        "select first_touch_at, data_as_of from intermediate.int_mqls_sla_measured "
        "where lead_id = ?",
        [GRACE_LEAD_ID],
    )
    for first_touch_at, data_as_of in sla:
        assert first_touch_at is None or first_touch_at <= data_as_of
