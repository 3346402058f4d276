"""The agreed lead definitions as assets: the file, loaded into the `definitions` schema."""

from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, multi_asset

from ingestion import settings
from orchestration.warehouse import WAREHOUSE_POOL, warehouse_lock
from transform.definitions import SCHEMA, load_definitions, write_definitions
from transform.project import source_owners

DEFINITION_TABLES = {
    "lifecycle_stages": "The funnel stages in their agreed order, with their definitions.",
    "mql_rules": "Each MQL rule version with the dates it was in force, score bar, min size.",
    "mql_rule_lists": "The lists of each MQL rule: ICP industries and countries, excluded "
    "e-mail domains, high-intent form types.",
    "reasons": "The agreed rejection and disqualification reasons.",
    "lead_source_lists": "Lead sources that make a lead sales-sourced.",
    "channels": "The agreed acquisition channels, in display order.",
    "channel_source_values": "Which channel each system's own source value belongs to "
    "(HubSpot original source, Salesforce LeadSource, GA4 medium).",
    "campaign_aliases": "Campaign spellings no rule matches and the campaign each means.",
    "segments": "Company-size segments by head count.",
    "vocabulary_values": "What each value a system uses (Lead Status, opportunity stage, "
    "lifecycle stage, e-mail event type, form) means in the agreed language.",
    "terms": "One row of the scalar terms: version, sign-off, business hours, SLA terms, "
    "marketing's MQL target or revenue goal, attribution and web settings.",
}


@multi_asset(
    name="load_lead_definitions",
    specs=[
        AssetSpec(
            key=AssetKey([SCHEMA, table]),
            description=description,
            group_name="definitions",
            owners=source_owners("definitions"),
            kinds={"yaml", "duckdb"},
        )
        for table, description in DEFINITION_TABLES.items()
    ],
    pool=WAREHOUSE_POOL,
)
def lead_definitions(context: AssetExecutionContext):
    """Validates the agreed lead definitions file and loads it into the warehouse."""
    path = settings.definitions_path()
    definitions = load_definitions(path)
    with warehouse_lock(context.log):
        rows = write_definitions(definitions)
    context.log.info(f"Loaded lead definitions {definitions.version} from {path}")
    for table in DEFINITION_TABLES:
        yield MaterializeResult(
            asset_key=AssetKey([SCHEMA, table]),
            metadata={
                "dagster/row_count": rows[table],
                "definitions_version": definitions.version,
                "definitions_file": str(path),
                "signed_off": f"{definitions.signed_off.marketing} (marketing), "
                f"{definitions.signed_off.sales} (sales), {definitions.signed_off.date}",
            },
        )
