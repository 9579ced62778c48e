"""The campaign being written in chat: typed access to the flow's JSON data, and its spec.

The data holds only JSON (dates as ISO text, ids not names) so it survives a restart in
`chat_flows`. `to_spec` turns it into the same `CampaignSpec` a YAML file gives, so both paths
store the campaign through `create_campaign` and create the same rows.
"""

from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.campaign_file import CampaignFileError, CampaignSpec, MilestoneSpec, Problem, TargetSpec
from bot.flow_engine import FlowState
from bot.flow_inputs import target_spec
from bot.flows import audience
from bot.i18n import N_
from storage import campaigns as campaign_store
from storage import org as org_store
from storage.campaign_models import AudienceKind, Campaign, CampaignKind, TargetType
from storage.catalogue import all_items

# Step codes of the campaign flow (unique across flows: they go into callback data).
NAME, SLOGAN, KIND = "cn", "cs", "ck"
PERIOD_START, PERIOD_END = "ps", "pe"
OPENS, DEADLINE = "ro", "rd"
MILESTONES, AUDIENCE = "ms", "cau"
TITLES, AWARDS, TARGETS = "ti", "aw", "tg"
PREVIEW, EDIT = "pv", "ed"


class Draft:
    """A typed view over `FlowState.data`; setters write JSON-friendly values back."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @classmethod
    def of(cls, state: FlowState) -> "Draft":
        return cls(state.data)

    # --- plain fields ---------------------------------------------------------------------------

    @property
    def name(self) -> str | None:
        return self.data.get("name")

    @name.setter
    def name(self, value: str) -> None:
        self.data["name"] = value

    @property
    def slogan(self) -> str | None:
        """None until asked; "" when skipped."""
        return self.data.get("slogan")

    @slogan.setter
    def slogan(self, value: str) -> None:
        self.data["slogan"] = value

    @property
    def kind(self) -> CampaignKind | None:
        value = self.data.get("kind")
        return CampaignKind(value) if value else None

    @kind.setter
    def kind(self, value: CampaignKind) -> None:
        self.data["kind"] = value.value

    def get_date(self, key: str) -> date | None:
        value = self.data.get(key)
        return date.fromisoformat(value) if value else None

    def set_date(self, key: str, value: date) -> None:
        self.data[key] = value.isoformat()

    @property
    def period(self) -> tuple[date, date] | None:
        start, end = self.get_date("period_start"), self.get_date("period_end")
        return (start, end) if start and end and start <= end else None

    @property
    def editing(self) -> bool:
        """True once the admin went back from the preview with ✏️: finish at the preview."""
        return bool(self.data.get("editing"))

    @editing.setter
    def editing(self, value: bool) -> None:
        self.data["editing"] = value

    @property
    def page(self) -> int:
        return int(self.data.get("page", 0))

    @page.setter
    def page(self, value: int) -> None:
        self.data["page"] = value

    # --- lists ----------------------------------------------------------------------------------

    @property
    def milestones(self) -> list[tuple[str, date]]:
        return [(name, date.fromisoformat(due)) for name, due in self.data.get("milestones", [])]

    @milestones.setter
    def milestones(self, value: list[tuple[str, date]]) -> None:
        self.data["milestones"] = [[name, due.isoformat()] for name, due in value]

    def milestones_outside(self) -> list[tuple[str, date]]:
        period = self.period
        if period is None:
            return []
        return [(name, due) for name, due in self.milestones if not period[0] <= due <= period[1]]

    @property
    def copy_from(self) -> int | None:
        value = self.data.get("copy_from")
        return int(value) if value else None

    @copy_from.setter
    def copy_from(self, value: int | None) -> None:
        self.data["copy_from"] = value

    @property
    def titles(self) -> list[int]:
        return [int(i) for i in self.data.get("titles", [])]

    @titles.setter
    def titles(self, value: list[int]) -> None:
        self.data["titles"] = value

    @property
    def awards(self) -> list[int]:
        return [int(i) for i in self.data.get("awards", [])]

    @awards.setter
    def awards(self, value: list[int]) -> None:
        self.data["awards"] = value

    @property
    def targets(self) -> list[TargetSpec]:
        return [
            target_spec(label, unit, TargetType(kind))
            for label, unit, kind in self.data.get("targets", [])
        ]

    @targets.setter
    def targets(self, value: list[TargetSpec]) -> None:
        self.data["targets"] = [[t.label, t.unit, t.type.value] for t in value]

    @property
    def documents(self) -> list[tuple[str, str]]:
        """(telegram file_id, file name) of the plan and other files, in the order sent."""
        return [(file_id, name) for file_id, name in self.data.get("documents", [])]

    def add_document(self, file_id: str, name: str) -> None:
        if file_id not in {known for known, _name in self.documents}:
            self.data.setdefault("documents", []).append([file_id, name])


def first_gap(draft: Draft) -> str | None:
    """The first step whose answer is missing or no longer fits (after an edit), else None."""
    if not draft.name:
        return NAME
    if draft.slogan is None:
        return SLOGAN
    if draft.kind is None:
        return KIND
    period = draft.period
    if period is None:
        return PERIOD_START
    opens, deadline = draft.get_date("registration_opens"), draft.get_date("registration_deadline")
    if opens is None or deadline is None or not opens <= deadline <= period[1]:
        return OPENS
    if draft.milestones_outside():
        return MILESTONES
    if audience.choice_of(draft.data) is None:
        return AUDIENCE
    if draft.copy_from is None and not draft.titles:
        return TITLES
    return None


def advance(state: FlowState, default: str) -> str:
    """The step after a finished section: the next one, or (when editing) the preview."""
    draft = Draft.of(state)
    draft.page = 0
    if draft.editing:
        return first_gap(draft) or PREVIEW
    return default


async def previous_campaign(session: AsyncSession) -> Campaign | None:
    """The latest campaign with titles to copy ("as last year"), if any."""
    for campaign in reversed(await campaign_store.all_campaigns(session=session)):
        if campaign.id is not None and await campaign_store.options_of(
            campaign.id, session=session
        ):
            return campaign
    return None


async def to_spec(draft: Draft, session: AsyncSession) -> CampaignSpec:
    """The spec `create_campaign` stores; raises CampaignFileError if a chosen item vanished."""
    problems: list[Problem] = []
    period = draft.period
    choice = audience.choice_of(draft.data)
    opens = draft.get_date("registration_opens")
    deadline = draft.get_date("registration_deadline")
    assert draft.name and draft.kind and period and choice and opens and deadline, "incomplete"
    items = {item.id: item for item in await all_items(session=session)}
    titles: list[str] = []
    awards: list[str] = []
    for ids, found in ((draft.titles, titles), (draft.awards, awards)):
        for item_id in ids:
            if item_id in items:
                found.append(items[item_id].code)
            else:
                problems.append(
                    Problem("titles", N_("a chosen title is no longer in the catalogue"))
                )
    blocs, units = await _scope_names(choice, problems, session)
    copy_from = None
    if draft.copy_from is not None:
        source = await campaign_store.get_campaign(draft.copy_from, session=session)
        if source is None:
            problems.append(Problem("copy_from", N_("the campaign to copy from no longer exists")))
        else:
            copy_from = source.name
    if problems:
        raise CampaignFileError(problems)
    return CampaignSpec(
        name=draft.name,
        slogan=draft.slogan or "",
        kind=draft.kind,
        owner_bloc=None,
        period_start=period[0],
        period_end=period[1],
        registration_opens=opens,
        registration_deadline=deadline,
        late_registration=False,
        registration_required=True,
        milestones=tuple(MilestoneSpec(name, due) for name, due in draft.milestones),
        audience=choice.kind,
        audience_blocs=blocs,
        audience_units=units,
        titles=tuple(titles),
        awards=tuple(awards),
        targets=tuple(draft.targets) if copy_from is None else (),
        new_catalogue_items=(),
        documents=(),
        copy_from=copy_from,
    )


async def _scope_names(
    choice: audience.AudienceChoice, problems: list[Problem], session: AsyncSession
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names, as the spec (and a YAML file) gives them; the builder resolves them again."""
    if choice.kind == AudienceKind.ORGANISATION:
        return (), ()
    if choice.kind == AudienceKind.BLOCS:
        blocs = {b.id: b.name for b in await org_store.all_blocs(session=session)}
        names = [blocs.get(scope_id) for _kind, scope_id in choice.scopes]
    else:
        units = {u.id: u.name for u in await org_store.all_units(session=session)}
        names = [units.get(scope_id) for _kind, scope_id in choice.scopes]
    if None in names:
        problems.append(Problem("audience", N_("a chosen bloc or unit no longer exists")))
    found = tuple(name for name in names if name)
    return (found, ()) if choice.kind == AudienceKind.BLOCS else ((), found)
