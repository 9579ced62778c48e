"""The audience picker both admin flows share: the whole organisation, or chosen blocs or units.

State lives in `data["audience"]`: `{"kind": None|"organisation"|"blocs"|"units", "ids": [...],
"picking": bool, "page": int}`. Ids, never names, go into buttons; every id pressed is checked
against the current roster, so a forged one changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.campaigns import Audience, resolve_audience
from bot.flow_engine import FlowEnv, FlowState, Outcome, Say, Step
from bot.flows.widgets import PAGE_SIZE, page_count, parse_int, toggle_rows
from bot.i18n import Translator
from storage import org as org_store
from storage.campaign_models import AudienceKind

KEY = "audience"


@dataclass(frozen=True)
class AudienceChoice:
    kind: AudienceKind
    scopes: list[tuple[str, int]]  # ("bloc", id) or ("unit", id), as the campaign stores them


def state_of(data: dict[str, Any]) -> dict[str, Any]:
    found = data.setdefault(KEY, {"kind": None, "ids": [], "picking": False, "page": 0})
    assert isinstance(found, dict)
    return found


def choice_of(data: dict[str, Any]) -> AudienceChoice | None:
    """The finished choice, or None while it is incomplete."""
    picked = state_of(data)
    kind = picked.get("kind")
    ids = [int(i) for i in picked.get("ids", [])]
    if kind == AudienceKind.ORGANISATION:
        return AudienceChoice(AudienceKind.ORGANISATION, [])
    if kind in (AudienceKind.BLOCS, AudienceKind.UNITS) and ids:
        scope = "bloc" if kind == AudienceKind.BLOCS else "unit"
        return AudienceChoice(AudienceKind(kind), sorted((scope, i) for i in ids))
    return None


async def choices(kind: str, session: AsyncSession) -> list[tuple[int, str]]:
    """The blocs or units to pick from, by name."""
    if kind == AudienceKind.BLOCS:
        return [(b.id, b.name) for b in await org_store.all_blocs(session=session) if b.id]
    return [(u.id, u.name) for u in await org_store.all_units(session=session) if u.id]


async def describe(data: dict[str, Any], t: Translator, session: AsyncSession) -> str:
    """One line naming the audience, for previews."""
    choice = choice_of(data)
    if choice is None:
        return t("not chosen yet")
    if choice.kind == AudienceKind.ORGANISATION:
        return t("the whole organisation")
    names = dict(await choices(choice.kind, session))
    listed = ", ".join(escape(names.get(scope_id, "?")) for _kind, scope_id in choice.scopes)
    if choice.kind == AudienceKind.BLOCS:
        return t("blocs/clusters: {names}", names=listed)
    return t("units: {names}", names=listed)


async def reach(data: dict[str, Any], session: AsyncSession) -> Audience | None:
    choice = choice_of(data)
    if choice is None:
        return None
    return await resolve_audience(choice.kind, choice.scopes, session=session)


def reach_line(audience: Audience, t: Translator) -> str:
    return t(
        "It will reach {reachable} of {total} people now ({not_linked} not linked to Telegram "
        "yet).",
        reachable=t.number(len(audience.recipients)),
        total=t.number(len(audience.members)),
        not_linked=t.number(audience.not_linked),
    )


def audience_step(
    code: str,
    advance: Callable[[FlowState], str],
    intro: Callable[[Translator], str],
) -> Step:
    """A step picking the audience; `advance` names the step after it (it may depend on state),
    `intro` heads the first screen (which flow this is, which step)."""

    async def prompt(state: FlowState, env: FlowEnv) -> list[Say]:
        t = env.t
        picked = state_of(state.data)
        kind = picked.get("kind")
        if picked.get("picking") and kind in (AudienceKind.BLOCS, AudienceKind.UNITS):
            items = await choices(kind, env.session)
            chosen = {int(i) for i in picked.get("ids", [])}
            page = int(picked.get("page", 0))
            heading = (
                t("Choose the blocs/clusters, then press Done.")
                if kind == AudienceKind.BLOCS
                else t("Choose the units, then press Done.")
            )
            lines = [heading, t("Selected: {count}", count=t.number(len(chosen)))]
            if len(items) > PAGE_SIZE:
                lines.append(
                    t("Page {page} of {pages}", page=page + 1, pages=page_count(len(items)))
                )
            rows = toggle_rows(state, items, chosen, page)
            rows.append(
                [
                    state.button(t("↩️ Back"), "back"),
                    state.button(t("✔️ Done ({count})", count=len(chosen)), "ok"),
                ]
            )
            return [Say("\n".join(lines), rows)]
        lines = [intro(t), t("Who is it for? (đối tượng)")]
        if choice_of(state.data) is not None:
            current = await describe(state.data, t, env.session)
            lines.append(t("Now: {audience}", audience=current))
        rows = [
            [state.button(t("🏛 Everyone"), "all")],
            [state.button(t("🧩 Choose blocs/clusters"), "k:b")],
            [state.button(t("🏢 Choose units"), "k:u")],
        ]
        return [Say("\n".join(lines), rows)]

    async def on_button(state: FlowState, value: str, env: FlowEnv) -> Outcome:
        t = env.t
        picked = state_of(state.data)
        if value == "all":
            picked.update(kind=AudienceKind.ORGANISATION.value, ids=[], picking=False, page=0)
            return Outcome(goto=advance(state))
        if value in ("k:b", "k:u"):
            wanted = AudienceKind.BLOCS if value == "k:b" else AudienceKind.UNITS
            if not await choices(wanted, env.session):
                return Outcome(answer=t("There is nothing to choose yet: import the roster first."))
            if picked.get("kind") != wanted:
                picked.update(kind=wanted.value, ids=[])
            picked.update(picking=True, page=0)
            return Outcome(edit=True)
        kind = picked.get("kind")
        if not picked.get("picking") or kind not in (AudienceKind.BLOCS, AudienceKind.UNITS):
            return Outcome(answer=t("This button is no longer valid."), reprompt=False)
        items = await choices(kind, env.session)
        if value == "back":
            picked["picking"] = False
            return Outcome(edit=True)
        if value == "ok":
            if not picked.get("ids"):
                return Outcome(answer=t("Choose at least one."), reprompt=False)
            picked["picking"] = False
            return Outcome(goto=advance(state))
        if (page := parse_int(value, "p:")) is not None and page < page_count(len(items)):
            picked["page"] = page
            return Outcome(edit=True)
        item_id = parse_int(value, "t:")
        if item_id is None or item_id not in {i for i, _name in items}:
            return Outcome(answer=t("This button is no longer valid."), reprompt=False)
        ids = [int(i) for i in picked.get("ids", [])]
        picked["ids"] = [i for i in ids if i != item_id] if item_id in ids else [*ids, item_id]
        return Outcome(edit=True)

    return Step(code=code, prompt=prompt, on_button=on_button)


async def preview_lines(data: dict[str, Any], t: Translator, session: AsyncSession) -> list[str]:
    """Under a preview: that it is exactly what members get, to whom, and who can be reached."""
    lines = [
        t("👆 This is exactly what members will receive."),
        t("Audience: {audience}", audience=await describe(data, t, session)),
    ]
    reach_now = await reach(data, session)
    if reach_now is not None:
        lines.append(reach_line(reach_now, t))
    return lines
