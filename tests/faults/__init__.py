"""The fault suite: what a run does with damaged exports, kills and concurrent runs.

    python -m tests.faults [--kills 3] [--only CASE ...] [--fast]   (make faults)

Every case starts from a copy of one clean state (small demo exports, every day but the
last loaded and built, the marts published), does its damage, runs the pipeline in a child
process exactly as the terminal launcher does (dead runs recovered first, then the job on
the data dir's own Dagster instance) and judges the result against a clean run of the
same exports: the outcome, the rows quarantined, whether the marts equal the clean run's
where they should, and whether the published file stayed byte for byte where it should.

Damaged inputs run the loads only (nothing after them changes what a load did) unless the
case is about the marts; kills and concurrent runs run the whole job. ``--fast`` runs the
cases marked fast, which tests/test_faults.py runs under ``make test``.
"""
