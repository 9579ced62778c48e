"""What the scoring flows and `/chamdiem` share: the texts of a unit's sheet, the bloc's totals
and the ranking, their buttons (`cd:<action>:<ids>`), and re-checking a flow's sheet and unit.

The texts live here so a flow can end by showing the updated sheet with the same buttons the
command shows.
"""

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton

from bot import scoring
from bot.access import Viewer
from bot.errors import UserFacingError
from bot.flow_engine import FlowEnv, FlowInput, FlowState, Outcome, Say
from bot.i18n import N_, Translator
from bot.scoring_file import parse_points
from bot.text import ascii_digits
from storage import org as org_store
from storage import scoring as store
from storage.models import Unit
from storage.scoring_models import CriterionKind, ScoringCriterion, ScoringSheet, SheetStatus

PREFIX = "cd:"
SHEET_KEY = "sheet"
UNIT_KEY = "unit"
CRITERION_KEY = "crit"
POINTS_KEY = "points"
LABEL_CHARS = 40  # of a criterion on a button

KIND_MARKS = {
    CriterionKind.NORMAL: "",
    CriterionKind.BONUS: N_("bonus"),
    CriterionKind.PENALTY: N_("penalty"),
}
STATUS_NAMES = {
    SheetStatus.DRAFT: N_("draft"),
    SheetStatus.OPEN: N_("open for scoring"),
    SheetStatus.PUBLISHED: N_("published"),
}


def points(t: Translator, value: Decimal | None) -> str:
    return "—" if value is None else t.number(value)


def criterion_line(t: Translator, criterion: ScoringCriterion) -> str:
    kind = KIND_MARKS[criterion.kind]
    mark = f" ({t(kind)})" if kind else ""
    return t(
        "{code}. {label}{kind} — max {max}",
        code=escape(criterion.code),
        label=escape(criterion.label),
        kind=mark,
        max=t.number(criterion.max_points),
    )


def criterion_button(state: FlowState, criterion: ScoringCriterion) -> InlineKeyboardButton:
    label = criterion.label
    short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
    return state.button(f"{criterion.code}. {short}", str(criterion.id))


async def unit_view(
    sheet: ScoringSheet, unit: Unit, viewer: Viewer, t: Translator, *, session: AsyncSession
) -> Say:
    """A unit's sheet: each criterion with its own and final score, the total, and buttons."""
    view = await scoring.unit_sheet(sheet, unit, session=session)
    lines = [
        f"<b>{escape(sheet.title)}</b>",
        t("Unit: {unit}", unit=escape(unit.name)),
        t("Status: {status}", status=t(STATUS_NAMES[sheet.status])),
        "",
    ]
    for criterion, score in view.lines:
        lines.append(criterion_line(t, criterion))
        own = score.self_points if score else None
        lines.append(
            "   "
            + t(
                "self: {own} · final: {final}",
                own=points(t, own),
                final=points(t, scoring.effective(score)),
            )
        )
        if score is not None and score.self_note:
            lines.append("   " + t("note: {note}", note=escape(score.self_note)))
        if score is not None and score.adjusted_reason:
            lines.append("   ✏️ " + t("adjusted: {reason}", reason=escape(score.adjusted_reason)))
    lines += ["", t("<b>Total: {total}</b>", total=t.number(view.total))]
    rows: list[list[InlineKeyboardButton]] = []
    ids = f"{sheet.id}:{unit.id}"
    if sheet.status is SheetStatus.OPEN:
        if scoring.may_self_score(viewer, unit, sheet):
            rows.append([_button(t("✍️ Score a criterion"), f"e:{ids}")])
        if scoring.may_lead(viewer, sheet.bloc_id):
            rows.append([_button(t("✏️ Adjust a score"), f"a:{ids}")])
    if scoring.may_lead(viewer, sheet.bloc_id):
        rows.append([_button(t("⬅️ All units of the bloc"), f"s:{sheet.id}")])
    elif sheet.status is SheetStatus.PUBLISHED:
        rows.append([_button(t("🏆 Ranking"), f"r:{sheet.id}")])
    return Say("\n".join(lines), rows or None)


async def bloc_view(
    sheet: ScoringSheet, viewer: Viewer, t: Translator, *, session: AsyncSession
) -> Say:
    """The bloc head's overview: every unit with its total; drill into one, publish, rank."""
    totals = await scoring.ranking(sheet, session=session)
    count = len(await store.criteria_of(sheet.id or 0, session=session))
    bloc = await org_store.get_bloc(sheet.bloc_id, session=session)
    lines = [
        f"<b>{escape(sheet.title)}</b>",
        t("Bloc: {bloc}", bloc=escape(bloc.name if bloc else "?")),
        t("Status: {status}", status=t(STATUS_NAMES[sheet.status])),
        "",
    ]
    rows = []
    for item in sorted(totals, key=lambda found: found.unit.name):
        lines.append(
            t(
                "{unit}: {total} points ({scored}/{count} criteria scored)",
                unit=escape(item.unit.name),
                total=t.number(item.total),
                scored=t.number(item.scored),
                count=t.number(count),
            )
        )
        rows.append([_button(item.unit.name, f"u:{sheet.id}:{item.unit.id}")])
    if sheet.status is SheetStatus.OPEN and scoring.may_publish(viewer, sheet.bloc_id):
        rows.append([_button(t("📢 Publish the result"), f"p:{sheet.id}")])
    rows.append([_button(t("🏆 Ranking"), f"r:{sheet.id}")])
    return Say("\n".join(lines), rows)


async def ranking_view(sheet: ScoringSheet, t: Translator, *, session: AsyncSession) -> Say:
    totals = await scoring.ranking(sheet, session=session)
    title = (
        t("🏆 <b>Result</b> — {title}", title=escape(sheet.title))
        if sheet.status is SheetStatus.PUBLISHED
        else t("🏆 <b>Provisional ranking</b> — {title}", title=escape(sheet.title))
    )
    lines = [title, ""]
    for place, item in enumerate(totals, start=1):
        lines.append(f"{place}. {escape(item.unit.name)} — {t.number(item.total)}")
    leader = scoring.suggested_leader(totals)
    lines.append("")
    if leader is None:
        lines.append(t("No unit has scored yet."))
    else:
        lines.append(
            t(
                "⭐ Suggested leading unit (suy tôn): <b>{unit}</b>",
                unit=escape(leader.unit.name),
            )
        )
    return Say("\n".join(lines))


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=PREFIX + data)


@dataclass(frozen=True)
class Place:
    """The sheet and unit a scoring flow works on, checked again for this message."""

    sheet: ScoringSheet
    unit: Unit


async def place_of(state: FlowState, env: FlowEnv) -> Place | None:
    """The flow's sheet and unit if they still exist and belong together; None otherwise."""
    sheet = await store.get_sheet(int(state.data.get(SHEET_KEY, 0)), session=env.session)
    unit = await org_store.get_unit(int(state.data.get(UNIT_KEY, 0)), session=env.session)
    if sheet is None or unit is None or unit.bloc_id != sheet.bloc_id:
        return None
    return Place(sheet, unit)


async def chosen_criterion(
    state: FlowState, env: FlowEnv, sheet: ScoringSheet
) -> ScoringCriterion | None:
    criterion = await store.get_criterion(
        int(state.data.get(CRITERION_KEY, 0)), session=env.session
    )
    return criterion if criterion is not None and criterion.sheet_id == sheet.id else None


async def choose_criterion(
    state: FlowState, value: str, env: FlowEnv, checked: "Place | Outcome", then: str
) -> Outcome:
    """A criterion button pressed, in either scoring flow: remember it and go to `then`."""
    if isinstance(checked, Outcome):
        return checked
    if not ascii_digits(value) or len(value) > 9:
        return Outcome(answer=env.t("This button is no longer valid."))
    state.data[CRITERION_KEY] = int(value)
    if await chosen_criterion(state, env, checked.sheet) is None:
        return Outcome(answer=env.t("This button is no longer valid."))
    return Outcome(goto=then)


async def explain_stale(value: str, env: FlowEnv) -> str | None:
    """A criterion button of a sheet published since: say so rather than "no longer valid"."""
    if not ascii_digits(value) or len(value) > 9:
        return None
    criterion = await store.get_criterion(int(value), session=env.session)
    sheet = await store.get_sheet(criterion.sheet_id, session=env.session) if criterion else None
    if sheet is not None and sheet.status is SheetStatus.PUBLISHED:
        return env.t(scoring.PUBLISHED)
    return None


async def take_points(
    state: FlowState,
    received: FlowInput,
    env: FlowEnv,
    sheet: ScoringSheet,
    *,
    then: str,
    back: str,
) -> Outcome:
    """The points typed for the chosen criterion: checked against its maximum, kept in the data,
    then on to `then`; a number the criterion cannot take is asked again."""
    t = env.t
    criterion = await chosen_criterion(state, env, sheet)
    if criterion is None:
        return Outcome(goto=back)
    value = parse_points(received.text or "") if received.is_text else None
    if value is None:
        return Outcome(say=[Say(t("Please type a number such as 18 or 2,5."))], reprompt=False)
    try:
        scoring.check_points(criterion, value)
    except UserFacingError as exc:
        return Outcome(say=[Say("⚠️ " + t(exc.message, **exc.params))], reprompt=False)
    state.data[POINTS_KEY] = str(value)
    return Outcome(goto=then)
