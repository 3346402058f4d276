"""A day's drop costs a day's work, and incremental builds give the same answers as full
rebuilds: after several daily drops (late updates, merges and late web hits included),
every mart and the incremental models equal, row for row, a from-scratch build."""

import shutil
from pathlib import Path

import duckdb
import pytest

from ingestion import settings
from ingestion.demo_exports import generate
from orchestration.definitions import defs

DAYS, FIRST_LOAD_DAYS = 12, 9  # seed 3 x 400 contacts: the last 3 drops merge, update, arrive late
# incremental models, without their load-bookkeeping columns (load ids differ by design,
# and the two builds read the same files from different landing folders)
COMPARED_MODELS = {
    "staging.stg_web_analytics__events": (
        "* exclude (dlt_load_id, source_file), split_part(source_file, '/landing/', 2)"
    ),
    "intermediate.int_web_sessions_sessionized": "* exclude (last_dlt_load_id)",
}


def refresh(root: Path, monkeypatch) -> None:
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(root))
    settings.apply_environment()
    result = defs.resolve_job_def("shared_funnel_refresh").execute_in_process(raise_on_error=False)
    assert result.success


def deliver(exports: Path, root: Path, days: list[str]) -> None:
    for system in (p for p in exports.iterdir() if p.is_dir()):
        for day in days:
            shutil.copytree(system / day, root / "landing" / system.name / day)


# Marts about the loads themselves, not the data: when each drop arrived differs, by design,
# between a history loaded a day at a time and the same files loaded at once.
LOAD_MARTS = {"marts.source_freshness"}


def differences(left: Path, right: Path) -> dict[str, int]:
    """Rows in one warehouse and not the other, per compared table (both directions).
    Doubles compare to 9 decimals: a sum over rows in another order may differ in its last
    bit."""
    with duckdb.connect() as con:
        con.execute(f"attach '{left}' as l (read_only)")
        con.execute(f"attach '{right}' as r (read_only)")
        columns_of: dict[str, list[str]] = {}
        for table, column, kind in con.sql(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_catalog = 'l' and table_schema = 'marts' order by ordinal_position"
        ).fetchall():
            rounded = kind in ("DOUBLE", "FLOAT") or kind.startswith("DECIMAL")
            columns_of.setdefault(f"marts.{table}", []).append(
                f'round("{column}", 9) as "{column}"' if rounded else f'"{column}"'
            )
        tables = {
            **{t: ", ".join(c) for t, c in columns_of.items() if t not in LOAD_MARTS},
            **COMPARED_MODELS,
        }
        counts = {}
        for table, columns in tables.items():
            counts[table] = sum(
                con.sql(
                    f"select count(*) from (select {columns} from {a}.{table} "
                    f"except all select {columns} from {b}.{table})"
                ).fetchall()[0][0]
                for a, b in (("l", "r"), ("r", "l"))
            )
        return counts


def drop_features(exports: Path, earlier: list[str], later: list[str]) -> dict[str, bool]:
    """Whether the later drops update records loaded before, merge records, and carry web
    hits of an earlier day."""

    def files(system: str, name: str, days: list[str]) -> str:
        return (
            "["
            + ", ".join(
                f"'{exports / system / d / name}'"
                for d in days
                if (exports / system / d / name).exists()
            )
            + "]"
        )

    def csv(system: str, name: str, days: list[str]) -> str:
        return f"read_csv({files(system, name, days)}, all_varchar = true, union_by_name = true)"

    with duckdb.connect() as con:
        late_updates = con.sql(
            f"select count(*) from {csv('crm', 'Lead.csv', later)} "
            f"where Id in (select Id from {csv('crm', 'Lead.csv', earlier)})"
        ).fetchall()[0][0]
        merges = (
            con.sql(
                f"select count(*) from {csv('marketing_automation', 'contacts.csv', later)} "
                "where coalesce(hs_merged_object_ids, '') <> ''"
            ).fetchall()[0][0]
            + con.sql(
                f"select count(*) from {csv('crm', 'Lead.csv', later)} "
                "where coalesce(MasterRecordId, '') <> ''"
            ).fetchall()[0][0]
        )
        web = [str(p) for d in later for p in (exports / "web_analytics" / d).glob("*.json")]
        late_hits = con.sql(
            f"select count(*) from read_json({web}, columns = {{'event_date': 'VARCHAR'}}) "
            f"where event_date < '{later[0].replace('-', '')}'"
        ).fetchall()[0][0]
    return {"late_updates": late_updates > 0, "merges": merges > 0, "late_web_hits": late_hits > 0}


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("daily") / "landing"
    generate(landing, seed=3, contacts=400, days=DAYS, start="2026-01-01", shape="contract")
    return landing


def test_daily_drops_built_incrementally_equal_a_full_rebuild(exports, tmp_path, monkeypatch):
    days = sorted(p.name for p in (exports / "crm").iterdir())
    later = days[FIRST_LOAD_DAYS:]
    # the drops after the first load carry what makes incremental hard
    assert drop_features(exports, days[:FIRST_LOAD_DAYS], later) == {
        "late_updates": True,
        "merges": True,
        "late_web_hits": True,
    }
    incremental = tmp_path / "incremental"
    deliver(exports, incremental, days[:FIRST_LOAD_DAYS])
    refresh(incremental, monkeypatch)
    for day in later:
        deliver(exports, incremental, [day])
        refresh(incremental, monkeypatch)

    full = tmp_path / "full"
    deliver(exports, full, days)
    refresh(full, monkeypatch)

    counts = differences(incremental / "warehouse.duckdb", full / "warehouse.duckdb")
    assert len(counts) >= 15
    assert {table: n for table, n in counts.items() if n} == {}
