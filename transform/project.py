"""The dbt project as the other stages read it: its parsed manifest and its vars.

`make prepare` parses transform/ into ``target/manifest.json``. The quality gate resolves
the models its rules read through the manifest's relation names (never a hard-coded
schema), reads the marts' ``meta`` (grain, rates, count columns), and Dagster builds its
asset graph from the same file. Project vars (``reporting_grains``, ...) are read from
``dbt_project.yml``, their one home.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_DIR = Path(__file__).resolve().parent
MANIFEST_PATH = PROJECT_DIR / "target" / "manifest.json"


@cache
def manifest() -> dict:
    """The parsed dbt manifest, read once per process (`make prepare` writes it)."""
    return json.loads(MANIFEST_PATH.read_text())


def models(manifest_: dict | None = None) -> list[dict]:
    """Every model node of the manifest, by name."""
    nodes = (manifest_ or manifest())["nodes"].values()
    return sorted((n for n in nodes if n["resource_type"] == "model"), key=lambda n: n["name"])


def model(name: str, manifest_: dict | None = None) -> dict:
    """The model node called `name`."""
    for node in models(manifest_):
        if node["name"] == name:
            return node
    raise KeyError(f"no dbt model {name!r} in {MANIFEST_PATH} (run `make prepare`)")


def relation(name: str, manifest_: dict | None = None) -> str:
    """Where model `name` is built, e.g. ``"warehouse"."intermediate"."int_x"``."""
    return model(name, manifest_)["relation_name"]


def source_relation(source_name: str, table: str, manifest_: dict | None = None) -> str:
    """Where the dbt source table is, e.g. ``"warehouse"."raw_crm"."leads"``."""
    for node in (manifest_ or manifest())["sources"].values():
        if node["source_name"] == source_name and node["name"] == table:
            return node["relation_name"]
    raise KeyError(f"no dbt source {source_name}.{table} in {MANIFEST_PATH} (run `make prepare`)")


def staging_model_of(source_name: str, table: str, manifest_: dict | None = None) -> str | None:
    """The staging model reading the source table, if any."""
    unique_id = next(
        (
            key
            for key, node in (manifest_ or manifest())["sources"].items()
            if node["source_name"] == source_name and node["name"] == table
        ),
        None,
    )
    for node in models(manifest_):
        if node["fqn"][1] == "staging" and unique_id in node["depends_on"]["nodes"]:
            return node["name"]
    return None


def is_mart(node: dict) -> bool:
    return node["fqn"][1] == "marts"


@cache
def project_var(name: str) -> Any:
    """A var of dbt_project.yml (dbt's own `var()`, as the project sets it)."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    return project["vars"][name]


def _owners(node: dict) -> list[str]:
    return list(node.get("meta", {}).get("dagster", {}).get("owners") or [])


def source_owners(source_name: str, manifest_: dict | None = None) -> list[str]:
    """The owners of a dbt source (its YAML's config.meta.dagster.owners)."""
    for node in (manifest_ or manifest())["sources"].values():
        if node["source_name"] == source_name:
            return _owners(node)
    raise KeyError(f"no dbt source {source_name!r} in {MANIFEST_PATH} (run `make prepare`)")


def model_owners(manifest_: dict | None = None) -> list[str]:
    """The owners of the models (dbt_project.yml's +meta), who also own the gate."""
    return _owners(models(manifest_)[0])


def exposure_owners(manifest_: dict | None = None) -> list[str]:
    """The owners of the dashboards (dbt_project.yml's exposures +meta)."""
    exposures = (manifest_ or manifest())["exposures"].values()
    return sorted({owner for node in exposures for owner in _owners(node)})


def exposure_nodes(name: str, manifest_: dict | None = None) -> list[dict]:
    """The models and sources an exposure (a dashboard page) depends on, as its YAML's
    depends_on lists them."""
    manifest_ = manifest_ or manifest()
    exposure = next(e for e in manifest_["exposures"].values() if e["name"] == name)
    return [
        manifest_["sources"][uid] if uid in manifest_["sources"] else manifest_["nodes"][uid]
        for uid in exposure["depends_on"]["nodes"]
    ]


_VAR = re.compile(r"\{\{\s*var\(\s*['\"](\w+)['\"]\s*\)\s*\}\}")
_RELATION = re.compile(r"""(?:ref|source)\(\s*(.+?)\s*\)""")


def test_description(test: dict) -> str:
    """What a dbt data test asserts, in a sentence: its YAML's description (or meta
    description) when it has one, else one written from the generic test and its
    arguments, e.g. "Every row's activity_kind is one of the agreed values: ..."."""
    own = test.get("description") or (test.get("meta") or {}).get("description")
    if own:
        return " ".join(own.split())
    metadata = test.get("test_metadata") or {}
    kwargs = {k: _argument(v) for k, v in (metadata.get("kwargs") or {}).items() if k != "model"}
    write = _TEST_SENTENCES.get(metadata.get("name", ""))
    sentence = write(kwargs) if write else _any_test(metadata.get("name") or test["name"], kwargs)
    config = test.get("config") or {}
    if config.get("where"):
        sentence += f", among the rows where {config['where']}"
    if (config.get("severity") or "error").lower() == "warn":
        sentence += " (a failure warns, it does not block)"
    return sentence[0].upper() + sentence[1:] + "."


def _argument(value: Any) -> Any:
    """A test argument as its reader knows it: a project var's value, a relation's name."""
    if isinstance(value, str):
        var = _VAR.fullmatch(value.strip())
        if var:
            return project_var(var.group(1))
        relation = _RELATION.fullmatch(value.strip())
        if relation:
            return ".".join(part.strip("'\" ") for part in relation.group(1).split(","))
    return value


def _listed(value: Any) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


def _between(kwargs: dict) -> str:
    low, high = kwargs.get("min_value"), kwargs.get("max_value")
    column = kwargs.get("column_name")
    if low is not None and high is not None:
        return f"every row's {column} lies between {low} and {high}"
    if low is not None:
        return f"every row's {column} is at least {low}"
    return f"every row's {column} is at most {high}"


def _any_test(name: str, kwargs: dict) -> str:
    arguments = ", ".join(f"{k} {_listed(v)}" for k, v in kwargs.items())
    return f"{name.replace('_', ' ')}" + (f" ({arguments})" if arguments else "")


_TEST_SENTENCES = {
    "not_null": lambda a: f"every row's {a['column_name']} is set (never null)",
    "unique": lambda a: f"no two rows share the same {a['column_name']}",
    "accepted_values": lambda a: (
        f"every row's {a['column_name']} is one of the agreed values: {_listed(a['values'])}"
    ),
    "relationships": lambda a: (
        f"every {a['column_name']} is found among the {a['field']} values of {a['to']}"
    ),
    "between": _between,
    "in_vocabulary": lambda a: (
        f"every row's {a['column_name']} is a value the definitions "
        f"file's vocabulary {a['vocabulary']} lists"
    ),
    "credits_sum_to_one": lambda a: (
        f"the {a['column_name']} of each {_listed(a['group_by'])} sums to one"
    ),
    "sum_per_group_matches_total": lambda a: (
        f"per {_listed(a['group_by'])}, the sum of "
        f"{a['column_name']} equals {a['total_expression']} of {a['total_relation']}"
        + (f" where {a['total_where']}" if a.get("total_where") else "")
    ),
    "sessions_are_more_than_the_timeout_apart": lambda a: (
        f"every session's "
        f"{a['started_at']} is later than {a['previous_ended_at']} (the end of the browser's "
        f"previous session) by more than {a['timeout_minutes']} minutes"
    ),
}
