"""What each fault test survived, for the figures in docs/reliability.md.

Why: the issue asks for counts (faults survived, messages lost, duplicates), not only green
tests. Each fault test records one line; `bench/faults.py` runs the tests with
``THIDUA_FAULT_REPORT`` set to a file and prints the totals. Without it, nothing is written.
"""

import json
import os
from dataclasses import asdict, dataclass

REPORT_VARIABLE = "THIDUA_FAULT_REPORT"


@dataclass(frozen=True)
class FaultRecord:
    """One scenario: how many faults were injected and what came through."""

    scenario: str
    faults: int  # faults injected (kills, error answers, outages…) and survived
    expected: int  # messages or records that had to arrive / be kept
    delivered: int  # of those, how many did (each counted once)
    duplicates: int  # delivered more than once, beyond the documented in-flight case
    in_flight: int = 0  # the documented in-flight resend after kill -9 (at most 1 per kill)

    @property
    def lost(self) -> int:
        return self.expected - self.delivered


def record(entry: FaultRecord) -> None:
    """Append ``entry`` to the report file, if the run asked for one."""
    path = os.environ.get(REPORT_VARIABLE)
    print(f"fault figures: {entry.scenario}: lost={entry.lost} duplicates={entry.duplicates}")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as report:
        report.write(json.dumps({**asdict(entry), "lost": entry.lost}, ensure_ascii=False) + "\n")
