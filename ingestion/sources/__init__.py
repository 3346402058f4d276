"""dlt sources for the three kinds of export: marketing automation, CRM and web analytics.

Each source lists its landing folder through dlt's ``filesystem`` layer (a local path by
default; an object-store URL works by configuration alone, e.g.
``SOURCES__CRM__BUCKET_URL=s3://bucket/landing/crm``), skips files already loaded by
their modification time, and reads each page of new files with one DuckDB scan into
Arrow batches (:mod:`ingestion.sources.readers`). Keyed tables are merged on the vendor's
primary key and the row with the latest vendor modified timestamp wins; web events, which
have no vendor key, are appended, and staging keeps one row per hit.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import dlt
from dlt.sources.filesystem import FileItemDict, filesystem

from ingestion import settings
from ingestion.exports import CRM, MARKETING_AUTOMATION, WEB_ANALYTICS, ExportSystem, ExportTable
from ingestion.sources.readers import (
    MODIFIED_AT_COLUMN,
    ExportFileError,
    read_export_page,
)

__all__ = [
    "ExportFileError",
    "crm",
    "export_file_error",
    "export_pipeline",
    "marketing_automation",
    "source_for",
    "web_analytics",
]

FILES_PER_PAGE = 1000


def _landing_url(system: ExportSystem, bucket_url: str | None) -> str:
    return bucket_url or str(settings.landing_dir() / system.name)


def _table_resource(system: ExportSystem, table: ExportTable, bucket_url: str):
    files = filesystem(
        bucket_url=bucket_url,
        file_glob=table.file_glob,
        files_per_page=FILES_PER_PAGE,
        incremental=dlt.sources.incremental("modification_date"),
    ).with_name(f"{table.name}_files")

    def read_files(items: list[FileItemDict]) -> Iterator:
        yield from read_export_page(items, table, system.file_format)

    if table.primary_key:
        hints = dict(
            primary_key=table.primary_key,
            write_disposition={"disposition": "merge", "strategy": "delete-insert"},
            columns={MODIFIED_AT_COLUMN: {"dedup_sort": "desc", "data_type": "timestamp"}},
        )
    else:
        # No vendor key (GA4 events): the raw table is a log of deliveries. Files already
        # loaded are skipped; a re-delivered day file is appended again, and staging keeps
        # one row per hit. A merge here would cost a staging copy of every event.
        hints = dict(write_disposition="append")
    reader = dlt.transformer(read_files, name=table.name, table_name=table.name, **hints)
    return (files | reader).with_name(table.name)


def _export_resources(system: ExportSystem, bucket_url: str | None):
    url = _landing_url(system, bucket_url)
    return [_table_resource(system, table, url) for table in system.tables]


@dlt.source(name=MARKETING_AUTOMATION.name)
def marketing_automation(bucket_url: str | None = dlt.config.value):
    """HubSpot-style contacts, form submissions, e-mail events and campaigns."""
    return _export_resources(MARKETING_AUTOMATION, bucket_url)


@dlt.source(name=CRM.name)
def crm(bucket_url: str | None = dlt.config.value):
    """Salesforce-style leads, contacts, accounts, opportunities, activities and campaigns."""
    return _export_resources(CRM, bucket_url)


@dlt.source(name=WEB_ANALYTICS.name)
def web_analytics(bucket_url: str | None = dlt.config.value):
    """GA4 BigQuery-export-style events, one NDJSON file a day."""
    return _export_resources(WEB_ANALYTICS, bucket_url)


_SOURCES = {
    MARKETING_AUTOMATION.name: marketing_automation,
    CRM.name: crm,
    WEB_ANALYTICS.name: web_analytics,
}


def source_for(system: ExportSystem):
    """A fresh dlt source for a system (dlt sources keep state; build one per run)."""
    return _SOURCES[system.name]()


def export_file_error(error: BaseException) -> ExportFileError | None:
    """The ExportFileError behind a failed dlt run (dlt wraps it twice), if that was the cause."""
    while error is not None and not isinstance(error, ExportFileError):
        error = error.__cause__ or error.__context__
    return error


def export_pipeline(system: ExportSystem, pipelines_dir: Path | None = None) -> dlt.Pipeline:
    """The dlt pipeline loading one system into its raw dataset of the warehouse.

    Its working folder is under the data dir unless `pipelines_dir` says otherwise.
    """
    settings.apply_environment()
    # Arrow rows get dlt's _dlt_load_id too, so every raw row says which load brought it.
    os.environ.setdefault("NORMALIZE__PARQUET_NORMALIZER__ADD_DLT_LOAD_ID", "true")
    return dlt.pipeline(
        pipeline_name=f"shared_funnel_{system.name}",
        pipelines_dir=str(pipelines_dir or settings.data_dir() / "dlt_pipelines"),
        destination=dlt.destinations.duckdb(str(settings.warehouse_path())),
        dataset_name=system.dataset,
        progress="log",
    )
