"""Fault figures: run the fault tests and total what they survived, lost and sent twice.

The fault tests (tests/test_faults_*.py) assert the behaviour; each also records one line of
figures when ``THIDUA_FAULT_REPORT`` names a file. This script runs them (slow ones included,
PostgreSQL too when TEST_DATABASE_URL is set) with that variable set, then prints one row per
scenario and the totals, for docs/reliability.md.

    python -m bench.faults [--quick]      # --quick leaves out the tests marked slow

Prints what it measured; the tests themselves fail if anything is lost.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FAULT_TESTS = [
    "tests/test_faults_kill.py",
    "tests/test_faults_api.py",
    "tests/test_faults_db.py",
    "tests/test_faults_start.py",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="leave out the slow fault tests")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "faults.jsonl"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *FAULT_TESTS]
        if args.quick:
            command += ["-m", "not slow"]
        started = time.monotonic()
        done = subprocess.run(
            command, env={**os.environ, "THIDUA_FAULT_REPORT": str(report)}, check=False
        )
        seconds = time.monotonic() - started
        rows = (
            [json.loads(line) for line in report.read_text().splitlines()]
            if report.exists()
            else []
        )
    print()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; PostgreSQL: "
        f"{'yes' if os.environ.get('TEST_DATABASE_URL') else 'no (TEST_DATABASE_URL unset)'}"
    )
    print(f"pytest exit status {done.returncode}, {seconds:.0f} s")
    print(f"{'scenario':<62} {'faults':>6} {'expected':>8} {'lost':>4} {'dup':>3} {'in-flight':>9}")
    for row in rows:
        print(
            f"{row['scenario']:<62} {row['faults']:>6} {row['expected']:>8} {row['lost']:>4} "
            f"{row['duplicates']:>3} {row['in_flight']:>9}"
        )
    print(
        f"{'total':<62} {sum(r['faults'] for r in rows):>6} "
        f"{sum(r['expected'] for r in rows):>8} {sum(r['lost'] for r in rows):>4} "
        f"{sum(r['duplicates'] for r in rows):>3} {sum(r['in_flight'] for r in rows):>9}"
    )
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
