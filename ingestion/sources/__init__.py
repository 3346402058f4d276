"""dlt sources for the three kinds of export: marketing automation, CRM and web analytics.

Each source lists its landing folder through dlt's ``filesystem`` layer (a local path by
default; an object-store URL works by configuration alone, e.g.
``SOURCES__CRM__BUCKET_URL=s3://bucket/landing/crm``), skips files already loaded by
their modification time, and reads each page of new files with one DuckDB scan into
Arrow batches (:mod:`ingestion.sources.readers`), each file's columns projected onto the
contract's roles by the company's source mapping (:mod:`ingestion.mapping`). Keyed tables
are merged on the vendor's primary key and the row with the latest vendor modified
timestamp wins; web events, which have no vendor key, are appended, and staging keeps one
row per hit. Every contract table exists after a load, empty when no file filled it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import dlt
import duckdb
from dlt.common.normalizers.naming.snake_case import NamingConvention as SnakeCaseNaming
from dlt.common.schema.typing import TMergeDispositionDict, TTableSchemaColumns
from dlt.sources.filesystem import FileItemDict, filesystem

from ingestion import settings
from ingestion.exports import (
    CRM,
    MARKETING_AUTOMATION,
    WEB_ANALYTICS,
    ExportSystem,
    ExportTable,
    is_export_file,
)
from ingestion.mapping import SourceMapping, load_mapping
from ingestion.sources.ledger import LEDGER_KEY, LEDGER_TABLE, FileLedger, StoredVersions
from ingestion.sources.readers import (
    MODIFIED_AT_COLUMN,
    QUARANTINE_TABLE,
    SOURCE_FILE_COLUMN,
    ExportFileError,
    ReadContext,
    read_export_page,
)
from ingestion.sources.stored import stored_columns, stored_tables, stored_warehouse

__all__ = [
    "quarantined_row_counts",
    "ExportFileError",
    "create_empty_tables",
    "crm",
    "export_file_error",
    "export_pipeline",
    "marketing_automation",
    "source_for",
    "web_analytics",
]

log = logging.getLogger(__name__)

FILES_PER_PAGE = 1000


def _landing_url(system: ExportSystem, bucket_url: str | None) -> str:
    return bucket_url or str(settings.landing_dir() / system.name)


def _table_resource(
    system: ExportSystem,
    table: ExportTable,
    bucket_url: str,
    mapping: SourceMapping,
    ledger: FileLedger,
    versions: StoredVersions,
):
    context = ReadContext(mapping, system.name, versions)
    # Every file is listed; the ledger lets through those whose content at that path was
    # never loaded, whatever their modification times (ingestion/sources/ledger.py).
    file_name = mapping.file_name(system.name, table)
    files = filesystem(
        bucket_url=bucket_url,
        file_glob=f"*/{file_name}*",
        files_per_page=FILES_PER_PAGE,
    ).with_name(f"{table.name}_files")
    files.add_filter(lambda item: is_export_file(item["file_name"], file_name))  # not .bak
    files.add_filter(ledger.is_new)

    def read_files(items: list[FileItemDict]) -> Iterator:
        yield from read_export_page(items, table, system.file_format, context, bucket_url)
        yield dlt.mark.with_hints(
            ledger.rows(items),
            dlt.mark.make_hints(
                table_name=LEDGER_TABLE, write_disposition="merge", primary_key=list(LEDGER_KEY)
            ),
            create_table_variant=True,  # the resource's own rows stay in its table
        )

    if table.primary_key:
        merge: TMergeDispositionDict = {"disposition": "merge", "strategy": "delete-insert"}
        latest_wins: TTableSchemaColumns = {
            MODIFIED_AT_COLUMN: {"dedup_sort": "desc", "data_type": "timestamp"}
        }
        # dlt's overloads of transformer() do not accept a merge hint with a dict of columns
        reader = dlt.transformer(  # type: ignore[call-overload]
            read_files,
            name=table.name,
            table_name=table.name,
            primary_key=table.primary_key,
            write_disposition=merge,
            columns=latest_wins,
        )
    else:
        # No vendor key (GA4 events): the raw table is a log of deliveries. Files already
        # loaded are skipped; a re-delivered day file is appended again, and staging keeps
        # one row per hit. A merge here would cost a staging copy of every event.
        reader = dlt.transformer(
            read_files, name=table.name, table_name=table.name, write_disposition="append"
        )
    return (files | reader).with_name(table.name)


def _export_resources(system: ExportSystem, bucket_url: str | None, mapping: SourceMapping | None):
    url = _landing_url(system, bucket_url)
    mapping = mapping or load_mapping()
    ledger, versions = FileLedger(system.dataset), StoredVersions(system.dataset)
    return [
        _table_resource(system, table, url, mapping, ledger, versions) for table in system.tables
    ]


@dlt.source(name=MARKETING_AUTOMATION.name)
def marketing_automation(
    bucket_url: str | None = dlt.config.value, mapping: SourceMapping | None = None
):
    """HubSpot-style contacts, form submissions, e-mail events and campaigns."""
    return _export_resources(MARKETING_AUTOMATION, bucket_url, mapping)


@dlt.source(name=CRM.name)
def crm(bucket_url: str | None = dlt.config.value, mapping: SourceMapping | None = None):
    """Salesforce-style leads, lead history, contacts, accounts, opportunities, activities
    and campaigns."""
    return _export_resources(CRM, bucket_url, mapping)


@dlt.source(name=WEB_ANALYTICS.name)
def web_analytics(bucket_url: str | None = dlt.config.value, mapping: SourceMapping | None = None):
    """GA4 BigQuery-export-style events, one NDJSON file a day."""
    return _export_resources(WEB_ANALYTICS, bucket_url, mapping)


_SOURCES = {
    MARKETING_AUTOMATION.name: marketing_automation,
    CRM.name: crm,
    WEB_ANALYTICS.name: web_analytics,
}


def source_for(system: ExportSystem, mapping: SourceMapping | None = None):
    """A fresh dlt source for a system (dlt sources keep state; build one per run), reading
    the files by `mapping` (default: the configured source mapping file)."""
    return _SOURCES[system.name](mapping=mapping)


def export_file_error(error: BaseException | None) -> ExportFileError | None:
    """The ExportFileError behind a failed dlt run (dlt wraps it twice), if that was the cause."""
    while error is not None and not isinstance(error, ExportFileError):
        error = error.__cause__ or error.__context__
    return error


def export_pipeline(system: ExportSystem, pipelines_dir: Path | None = None) -> dlt.Pipeline:
    """The dlt pipeline loading one system into its raw dataset of the warehouse.

    Its working folder is under the data dir unless `pipelines_dir` says otherwise.
    """
    settings.apply_environment()  # dlt's settings: .dlt/config.toml
    return dlt.pipeline(
        pipeline_name=f"shared_funnel_{system.name}",
        pipelines_dir=str(pipelines_dir or settings.data_dir() / "dlt_pipelines"),
        destination=dlt.destinations.duckdb(str(settings.warehouse_path())),
        dataset_name=system.dataset,
        progress="log",
    )


def _raw_column_types(table: ExportTable) -> dict[str, str]:
    """The raw table's columns as dlt names them: every role (a path keeps its '__', as dlt
    loads it: Loss_Reason__c -> loss_reason__c), then the lineage columns."""
    naming = SnakeCaseNaming()
    columns = {
        naming.normalize_path(c.name): "JSON" if c.kind == "json" else "VARCHAR"
        for c in table.columns
    }
    columns[SOURCE_FILE_COLUMN] = "VARCHAR"
    if table.primary_key:
        columns[MODIFIED_AT_COLUMN] = "TIMESTAMP WITH TIME ZONE"
    columns["_dlt_load_id"] = "VARCHAR"
    return columns


def create_empty_tables(system: ExportSystem) -> list[str]:
    """Create, empty and typed from the contract, every raw table no file has filled yet
    (a quiet day, a header-only file, every row quarantined, an export the org doesn't
    make), so the models read an empty table instead of failing. Returns their names.

    A stored table lacking a column of the contract (loaded by an older version whose
    contract had no such role, with no file delivered since) gains it, empty: dlt reads
    the stored columns before it alters a table, so a later file fills it."""
    created = []
    with duckdb.connect(str(settings.warehouse_path())) as con:
        con.execute(f'create schema if not exists "{system.dataset}"')
        existing = stored_tables(con, system.dataset)
        for table in system.tables:
            columns = _raw_column_types(table)
            relation = f'"{system.dataset}"."{table.name}"'
            if table.name in existing:
                stored = stored_columns(con, system.dataset, table.name)
                for name, kind in columns.items():
                    if name not in stored:
                        log.info("%s: adding the contract's column %s (empty)", relation, name)
                        con.execute(f'alter table {relation} add column "{name}" {kind}')
                continue
            typed = ", ".join(f'"{name}" {kind}' for name, kind in columns.items())
            con.execute(f"create table {relation} ({typed})")
            created.append(table.name)
    return created


def quarantined_row_counts(schema: str) -> dict[str, int]:
    """Quarantined rows per raw table of one source dataset."""
    with stored_warehouse() as con:
        if con is None or QUARANTINE_TABLE not in stored_tables(con, schema):
            return {}
        return dict(
            con.execute(
                f'select table_name, count(*) from "{schema}"."{QUARANTINE_TABLE}" group by 1'
            ).fetchall()
        )
