"""`/baocao`: a member reports progress against their approved pledge at a milestone; an
officer the same for their unit's collective pledge (from `/donvi`).

Steps: which report (only when several are open) → each target's cumulative value (a lower one
is confirmed) → evidence → note → summary → ✅. Every step re-checks whose pledge it is.
"""

from bot.access import Viewer
from bot.flow_engine import Flow
from bot.flows import report_choose, report_files, report_summary, report_values
from bot.flows.report_draft import CHOOSE, NAME_OF_FLOW
from bot.flows.report_start import NOT_LINKED_TO_REPORT
from bot.i18n import N_


def may_report(viewer: Viewer) -> bool:
    return (
        viewer.is_linked
        or bool(viewer.unit_ids_managed() or viewer.bloc_ids_led())
        or (viewer.is_admin)
    )


def report_flow() -> Flow:
    return Flow(
        name=NAME_OF_FLOW,
        title=N_("progress report"),
        first_step=CHOOSE,
        steps=(
            *report_choose.steps(),
            *report_values.steps(),
            *report_files.steps(),
            *report_summary.steps(),
        ),
        may_use=may_report,
        refusal=NOT_LINKED_TO_REPORT,
        explain_stale=report_summary.explain_stale,
    )
