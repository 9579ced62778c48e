"""Campaign authoring, steps 6–9: milestones, audience, titles and forms, targets.

Typed lines are added one or many per message; the good ones are kept and each bad one is
named with its reason. The plan (kế hoạch) may be sent as a document here or at the preview.
"""

from html import escape

from bot.flow_engine import FlowEnv, FlowInput, FlowState, Outcome, Say, Step
from bot.flow_inputs import (
    LineProblem,
    merge_milestones,
    merge_targets,
    parse_milestone_lines,
    parse_target_lines,
    quarter_milestones,
    review_milestones,
)
from bot.flows import audience
from bot.flows.campaign_basics import heading, need_text
from bot.flows.campaign_draft import (
    AUDIENCE,
    AWARDS,
    MILESTONES,
    PERIOD_START,
    PREVIEW,
    TARGETS,
    TITLES,
    Draft,
    advance,
    previous_campaign,
)
from bot.flows.widgets import PAGE_SIZE, page_count, parse_int, toggle_rows
from bot.i18n import Translator
from storage.campaign_models import CatalogueKind, TargetType
from storage.catalogue import all_items, ensure_default_catalogue

# The words the admin types for each type (`Nhãn | đơn vị | loại`), echoed back as typed.
TARGET_TYPE_NAMES = {
    TargetType.NUMBER: "số",
    TargetType.PERCENT: "phần trăm",
    TargetType.YES_NO: "có-không",
    TargetType.TEXT: "văn bản",
}


def problem_lines(t: Translator, problems: list[LineProblem]) -> str:
    """Each rejected line with its reason, in the admin's language."""
    return "\n".join(
        "⚠️ "
        + t(
            "Line {line}: {problem}",
            line=problem.line,
            problem=t(problem.message, **{k: escape(v) for k, v in problem.params.items()}),
        )
        for problem in problems
    )


def attach_document(state: FlowState, received: FlowInput, env: FlowEnv) -> Say:
    """Keep the plan's file_id; it is stored with the campaign and sent before the launch text."""
    assert received.document is not None
    name = received.document_name or "document"
    Draft.of(state).add_document(received.document, name[:255])
    return Say(
        env.t(
            "📎 Attached {name}. Members will get it with the launch message.",
            name=escape(name),
        )
    )


def added_and_problems(t: Translator, added: int, problems: list[LineProblem]) -> list[Say]:
    lines = [t("Added {count}.", count=added)] if added else []
    if problems:
        lines.append(problem_lines(t, problems))
    return [Say("\n".join(lines))] if lines else []


# --- 6. milestones ---------------------------------------------------------------------------


async def _milestones_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    draft = Draft.of(state)
    lines = [
        heading(t, 6, t("Reporting milestones (mốc báo cáo)")),
        t("Type one per line: Name - dd/mm/yyyy, e.g. Sơ kết 6 tháng - 15/07/2027."),
        t("Or add a preset below. You may also send the plan (kế hoạch) as a document."),
    ]
    outside = {name for name, _due in draft.milestones_outside()}
    if draft.milestones:
        lines += ["", t("Milestones so far:")]
        lines += [
            f"• {escape(name)}: {t.date(due)}" + (" ⚠️" if name in outside else "")
            for name, due in draft.milestones
        ]
    if outside:
        lines.append(t("⚠️ marks a milestone outside the period: clear the list and type again."))
    rows = [
        [state.button(t("Quarters I–IV"), "q")],
        [state.button(t("Half-year review + year-end review"), "h")],
    ]
    if draft.milestones:
        rows.append([state.button(t("🗑 Clear the list"), "clr")])
    rows.append([state.button(t("✔️ Done"), "ok")])
    return [Say("\n".join(lines), rows)]


async def _milestones_input(state: FlowState, received: FlowInput, env: FlowEnv) -> Outcome:
    t = env.t
    draft = Draft.of(state)
    if received.document:
        return Outcome(say=[attach_document(state, received, env)], reprompt=False)
    if not received.is_text or not received.text:
        return Outcome(say=[Say(t("Send the plan as a file (document), not as a photo."))])
    period = draft.period
    if period is None:
        return Outcome(goto=PERIOD_START)
    found, problems = parse_milestone_lines(received.text, *period)
    draft.milestones = merge_milestones(draft.milestones, found)
    return Outcome(say=added_and_problems(t, len(found), problems))


async def _milestones_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    t = env.t
    draft = Draft.of(state)
    period = draft.period
    if period is None:
        return Outcome(goto=PERIOD_START)
    if value == "q":
        names = (t("Quarter I"), t("Quarter II"), t("Quarter III"), t("Quarter IV"))
        draft.milestones = merge_milestones(draft.milestones, quarter_milestones(*period, names))
    elif value == "h":
        presets = review_milestones(*period, t("Half-year review"), t("Year-end review"))
        draft.milestones = merge_milestones(draft.milestones, presets)
    elif value == "clr":
        draft.milestones = []
    elif value == "ok":
        if draft.milestones_outside():
            return Outcome(answer=t("Some milestones are outside the period."), reprompt=False)
        return Outcome(goto=advance(state, AUDIENCE))
    else:
        return Outcome(answer=t("This button is no longer valid."), reprompt=False)
    return Outcome(edit=True)


# --- 8. titles and forms ---------------------------------------------------------------------


async def _catalogue(kind: CatalogueKind, env: FlowEnv) -> list[tuple[int, str]]:
    await ensure_default_catalogue(session=env.session)
    items = await all_items(session=env.session)
    return [(i.id, i.name) for i in items if i.kind == kind and i.active and i.id is not None]


async def _titles_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    draft = Draft.of(state)
    source = await previous_campaign(env.session)
    title = heading(t, 8, t("Titles and forms of commendation"))
    if source is not None and state.data.get("offer") != "manual":
        lines = [
            title,
            t(
                "Copy the titles, forms and targets of «{name}», or choose them.",
                name=escape(source.name),
            ),
        ]
        if draft.copy_from is not None:
            lines.append(t("Now: copied from the earlier campaign."))
        rows = [
            [state.button(t("📋 Copy from the earlier campaign"), f"cp:{source.id}")],
            [state.button(t("✍️ Choose titles myself"), "man")],
        ]
        return [Say("\n".join(lines), rows)]
    items = await _catalogue(CatalogueKind.TITLE, env)
    chosen = set(draft.titles)
    lines = [title, t("Tap the titles (danh hiệu) members may register for, then press Done.")]
    lines.append(t("Selected: {count}", count=len(chosen)))
    if len(items) > PAGE_SIZE:
        lines.append(t("Page {page} of {pages}", page=draft.page + 1, pages=page_count(len(items))))
    rows = toggle_rows(state, items, chosen, draft.page)
    rows.append([state.button(t("✔️ Done ({count})", count=len(chosen)), "ok")])
    if source is not None:
        rows.append([state.button(t("📋 Copy from the earlier campaign"), f"cp:{source.id}")])
    return [Say("\n".join(lines), rows)]


async def _titles_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    t = env.t
    draft = Draft.of(state)
    source_id = parse_int(value, "cp:")
    if source_id is not None:
        source = await previous_campaign(env.session)
        if source is None or source.id != source_id:
            return Outcome(answer=t("This button is no longer valid."), reprompt=False)
        draft.copy_from = source_id
        draft.titles, draft.awards, draft.targets = [], [], []
        state.data["offer"] = "copy"
        return Outcome(goto=advance(state, PREVIEW))
    if value == "man":
        draft.copy_from = None
        state.data["offer"] = "manual"
        draft.page = 0
        return Outcome(edit=True)
    return await _toggle(state, value, env, CatalogueKind.TITLE, AWARDS)


async def _awards_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    draft = Draft.of(state)
    items = await _catalogue(CatalogueKind.AWARD, env)
    chosen = set(draft.awards)
    lines = [
        heading(t, 8, t("Titles and forms of commendation")),
        t("Tap the forms of commendation (hình thức khen thưởng) members may propose, or none."),
        t("Selected: {count}", count=len(chosen)),
    ]
    if len(items) > PAGE_SIZE:
        lines.append(t("Page {page} of {pages}", page=draft.page + 1, pages=page_count(len(items))))
    rows = toggle_rows(state, items, chosen, draft.page)
    rows.append([state.button(t("✔️ Done ({count})", count=len(chosen)), "ok")])
    return [Say("\n".join(lines), rows)]


async def _awards_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    return await _toggle(state, value, env, CatalogueKind.AWARD, TARGETS)


async def _toggle(
    state: FlowState, value: str, env: FlowEnv, kind: CatalogueKind, next_step: str
) -> Outcome:
    """Toggle (`t:<id>`), page (`p:<n>`) or finish (`ok`) a list of catalogue items."""
    t = env.t
    draft = Draft.of(state)
    items = await _catalogue(kind, env)
    chosen = draft.titles if kind == CatalogueKind.TITLE else draft.awards
    if value == "ok":
        if kind == CatalogueKind.TITLE and not chosen:
            return Outcome(answer=t("Choose at least one title."), reprompt=False)
        draft.page = 0
        return Outcome(goto=next_step)
    if (page := parse_int(value, "p:")) is not None and page < page_count(len(items)):
        draft.page = page
        return Outcome(edit=True)
    item_id = parse_int(value, "t:")
    if item_id is None or item_id not in {i for i, _name in items}:
        return Outcome(answer=t("This button is no longer valid."), reprompt=False)
    chosen = [i for i in chosen if i != item_id] if item_id in chosen else [*chosen, item_id]
    if kind == CatalogueKind.TITLE:
        draft.titles = chosen
    else:
        draft.awards = chosen
    return Outcome(edit=True)


# --- 9. targets ------------------------------------------------------------------------------


def target_line(t: Translator, label: str, unit: str, kind: TargetType) -> str:
    shown = f"• {escape(label)}"
    if unit:
        shown += f" ({escape(unit)})"
    return shown + f" — {TARGET_TYPE_NAMES[kind]}"


async def _targets_prompt(state: FlowState, env: FlowEnv) -> list[Say]:
    t = env.t
    draft = Draft.of(state)
    lines = [
        heading(t, 9, t("Targets (chỉ tiêu)")),
        t(
            "Type one per line: Label | unit | type, where type is số, phần trăm, có-không or "
            "văn bản."
        ),
        t("E.g. Sáng kiến được công nhận | sáng kiến | số"),
    ]
    targets = draft.targets
    if targets:
        lines += ["", t("Targets so far:")]
        lines += [target_line(t, x.label, x.unit, x.type) for x in targets]
    rows = []
    if targets:
        rows.append([state.button(t("🗑 Clear the list"), "clr")])
        rows.append([state.button(t("✔️ Done"), "ok")])
    else:
        rows.append([state.button(t("⏭ Skip (no targets)"), "ok")])
    return [Say("\n".join(lines), rows)]


async def _targets_input(state: FlowState, received: FlowInput, env: FlowEnv) -> Outcome:
    t = env.t
    if not received.is_text or not received.text:
        return need_text(t)
    draft = Draft.of(state)
    found, problems = parse_target_lines(received.text)
    draft.targets = merge_targets(draft.targets, found)
    return Outcome(say=added_and_problems(t, len(found), problems))


async def _targets_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
    draft = Draft.of(state)
    if value == "clr":
        draft.targets = []
        return Outcome(edit=True)
    if value == "ok":
        return Outcome(goto=advance(state, PREVIEW))
    return Outcome(answer=env.t("This button is no longer valid."), reprompt=False)


def steps() -> tuple[Step, ...]:
    return (
        Step(MILESTONES, _milestones_prompt, _milestones_input, _milestones_button),
        audience.audience_step(
            AUDIENCE,
            lambda state: advance(state, TITLES),
            lambda t: heading(t, 7, t("Audience")),
        ),
        Step(TITLES, _titles_prompt, None, _titles_button),
        Step(AWARDS, _awards_prompt, None, _awards_button),
        Step(TARGETS, _targets_prompt, _targets_input, _targets_button),
    )
