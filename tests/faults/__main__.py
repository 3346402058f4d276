"""python -m tests.faults [--kills N] [--fast] [--only CASE ...] [--base DIR]"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

from tests.faults.suite import DAMAGE, FAST, KILLED_STEPS, Suite, Verdict, table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.faults")
    parser.add_argument("--kills", type=int, default=1, help="random-point kills per step")
    parser.add_argument("--fast", action="store_true", help="only the cases marked fast")
    parser.add_argument("--only", nargs="*", help="only the cases whose name contains one")
    parser.add_argument("--base", type=Path, help="where the states and cases live")
    args = parser.parse_args(argv)

    base = args.base or Path(tempfile.mkdtemp(prefix="shared-funnel-faults-"))
    suite = Suite(base, kills=args.kills)
    started = time.monotonic()
    suite.prepare()
    cases = [(name, lambda n=name: suite.damaged_input(n)) for name in DAMAGE]
    cases += [
        ("replay x3", suite.replay),
        ("2099 date + negative amount", suite.implausible_values),
        ("file changed while read", suite.file_changed_while_read),
        ("concurrent runs x2", suite.concurrent_runs),
    ]
    cases += [
        (f"kill -9 in {step} #{trial}", lambda s=step, t=trial: suite.kill(s, t))
        for step in KILLED_STEPS
        for trial in range(1, args.kills + 1)
    ]
    if args.fast:
        cases = [(n, c) for n, c in cases if n in FAST]
    if args.only:
        cases = [(n, c) for n, c in cases if any(o in n for o in args.only)]
    for name, case in cases:
        case_started = time.monotonic()
        try:
            verdict = case()
        except Exception as error:  # a case that cannot run is a failed case, not the end
            verdict = Verdict(
                name, f"could not run: {type(error).__name__}: {error}", 0, None, None, False
            )
        suite.verdicts.append(verdict)
        print(
            f"{'ok  ' if verdict.ok else 'FAIL'} {name} ({time.monotonic() - case_started:.0f} s)",
            flush=True,
        )
    print()
    print(table(suite.verdicts))
    failed = sum(not v.ok for v in suite.verdicts)
    print(
        f"\n{len(suite.verdicts)} cases, {failed} failed, in {time.monotonic() - started:.0f} s "
        f"(states and cases under {base})"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
