"""Publish the marts: a copy analysts and dashboards read, replaced only as a whole.

The copy is written next to the live file and moved over the published one in a single
rename, so a reader sees either the last good marts or the new ones, never a mix; when
the quality gate fails, this never runs and the published file stays byte for byte.
"""

from __future__ import annotations

import os

import duckdb

from ingestion import settings

PUBLISHED_SCHEMAS = ("marts", "definitions", "quality")
# The storage format the published file is written in: readable by the `duckdb` shell of the
# lock (duckdb-cli, `make sql`) and by analysts' tools a release or two behind the library.
PUBLISHED_STORAGE_VERSION = "v1.5.0"
# Single tables of other schemas the dashboards read: the source values no agreed
# vocabulary lists, for the data status page.
PUBLISHED_TABLES = (("intermediate", "int_vocabulary_unknown_values"),)


def _tuples(pairs: tuple[tuple[str, str], ...]) -> str:
    return "(" + ", ".join(f"('{schema}', '{table}')" for schema, table in pairs) + ")"


def publish_marts() -> dict[str, int]:
    """Copy every table of the published schemas (the marts, the definitions and the quality
    gate's exceptions); rows per `<schema>.<table>`."""
    target = settings.published_warehouse_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(target.name + ".tmp")
    staging.unlink(missing_ok=True)
    rows = {}
    with duckdb.connect() as con:
        con.execute(
            f"attach ? as published (storage_version '{PUBLISHED_STORAGE_VERSION}')",
            [str(staging)],
        )
        con.execute("attach ? as warehouse (read_only)", [str(settings.warehouse_path())])
        con.execute("use published")
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = 'warehouse' and table_type = 'BASE TABLE' "
            f"and (table_schema in {PUBLISHED_SCHEMAS} "
            f"or (table_schema, table_name) in {_tuples(PUBLISHED_TABLES)}) "
            "order by 1, 2"
        ).fetchall()
        for schema, table in tables:
            con.execute(f'create schema if not exists "{schema}"')
            con.execute(
                f'create table "{schema}"."{table}" as select * from warehouse."{schema}"."{table}"'
            )
            rows[f"{schema}.{table}"] = con.execute(
                f'select count(*) from "{schema}"."{table}"'
            ).fetchall()[0][0]
        con.execute("use memory")
        con.execute("detach warehouse")
        con.execute("detach published")
    os.replace(staging, target)
    return rows
