"""Command line: ``python -m ingestion.demo_exports [--out DIR] [--seed 7] [--contacts 2000]
[--days 90] [--start YYYY-MM-DD] [--shape vendor|contract] [--next-day]``; without --start
the exports end yesterday."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from .exporter import DemoExportsError, generate, generate_next_day
from .writers import DEFAULT_SHAPE, SHAPES

DEFAULTS: dict[str, Any] = {"seed": 7, "contacts": 2000, "days": 90, "start": None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="generate-demo-exports",
        description="Write deterministic demo exports (marketing automation, CRM, web "
        "analytics) into <out>/<system>/<YYYY-MM-DD>/.",
    )
    parser.add_argument("--out", help="landing folder (default: the pipeline's landing dir)")
    parser.add_argument("--seed", type=int, help=f"random seed (default {DEFAULTS['seed']})")
    parser.add_argument(
        "--contacts", type=int, help=f"people arriving over --days (default {DEFAULTS['contacts']})"
    )
    parser.add_argument("--days", type=int, help=f"days to export (default {DEFAULTS['days']})")
    parser.add_argument(
        "--start",
        help="first export day (default: today - days, so the last day exported is yesterday; "
        "a folder holding a generation keeps its start)",
    )
    parser.add_argument(
        "--shape",
        choices=list(SHAPES),
        help=f"the files' shape (default {DEFAULT_SHAPE}): 'vendor', the vendors' own exports "
        "(a default Salesforce org, HubSpot's APIs, GA4's BigQuery export), read with "
        "mappings/vendor.yml; 'contract', the contract's column names with the custom "
        "fields, read with mappings/contract.yml",
    )
    parser.add_argument(
        "--next-day",
        action="store_true",
        help="append exactly one more day to the generation in --out",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress log")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(message)s",
        datefmt="%H:%M:%S",
    )
    given = {name: getattr(args, name) for name in DEFAULTS}
    try:
        if args.next_day:
            summary = generate_next_day(args.out, shape=args.shape, **given)
        else:
            summary = generate(
                args.out,
                shape=args.shape or DEFAULT_SHAPE,
                **{k: v if v is not None else DEFAULTS[k] for k, v in given.items()},
            )
    except DemoExportsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
