"""Turn a CampaignSpec (from a YAML file or the in-chat flow) into stored rows.

Both authoring paths end here, so they create the same campaign. Names typed by people (blocs,
units, titles) are resolved against the database; anything unknown is reported with its path,
like the file parser does.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.campaign_file import CampaignFileError, CampaignSpec, Problem, TargetSpec
from bot.i18n import N_
from bot.reminder_plan import ReminderRules
from bot.text import match_key
from storage import campaigns as store
from storage import org as org_store
from storage.campaign_models import (
    Campaign,
    CampaignAudienceScope,
    CampaignDocument,
    CampaignMilestone,
    CampaignOption,
    CatalogueItem,
    CatalogueKind,
    TargetTemplate,
)
from storage.catalogue import add_item, all_items, ensure_default_catalogue
from storage.pledge_rules import ensure_default_rules


class _Problems(list[Problem]):
    def add(self, path: str, message: str, **params: str) -> None:
        self.append(Problem(path, message, params))


def rule_columns(rules: ReminderRules) -> dict[str, Any]:
    """The campaign columns that keep its reminder rules (read back by `parse_rules`)."""
    return {
        "reminder_days": ",".join(str(days) for days in rules.days_before),
        "reminder_at": rules.at.strftime("%H:%M"),
        "reminder_escalate": rules.escalate,
        "reminders_snoozable": rules.snoozable,
    }


async def create_campaign(
    spec: CampaignSpec, *, created_by: int | None, session: AsyncSession
) -> Campaign:
    """Store the campaign as a draft; raise CampaignFileError listing every unresolved name."""
    problems = _Problems()
    await ensure_default_catalogue(session=session)
    await ensure_default_rules(session=session)
    owner_id = await _owner(spec, problems, session)
    scopes = await _audience(spec, problems, session)
    source = await _source(spec, problems, session)
    catalogue = await _catalogue_with_new_items(spec, problems, session)
    option_ids = await _options(spec, catalogue, source, problems, session)
    if problems:
        raise CampaignFileError(list(problems))
    campaign = Campaign(
        name=spec.name,
        slogan=spec.slogan,
        kind=spec.kind,
        owner_bloc_id=owner_id,
        period_start=spec.period_start,
        period_end=spec.period_end,
        registration_opens=spec.registration_opens,
        registration_deadline=spec.registration_deadline,
        late_registration=spec.late_registration,
        registration_required=spec.registration_required,
        report_grace_days=spec.report_grace_days,
        **rule_columns(spec.reminder_rules),
        digest_rule=spec.digest_rule,
        audience=spec.audience,
        copied_from_id=source.id if source else None,
        created_by=created_by,
    )
    await store.add([campaign], session=session)
    assert campaign.id is not None
    await store.add(
        await _children(spec, campaign.id, scopes, option_ids, source, session), session=session
    )
    return campaign


async def _owner(spec: CampaignSpec, problems: _Problems, session: AsyncSession) -> int | None:
    if not spec.owner_bloc:
        return None
    bloc = await org_store.find_bloc(match_key(spec.owner_bloc), session=session)
    if bloc is None:
        problems.add("owner", N_('no bloc or cluster named "{value}"'), value=spec.owner_bloc)
        return None
    return bloc.id


async def _audience(
    spec: CampaignSpec, problems: _Problems, session: AsyncSession
) -> list[tuple[str, int]]:
    scopes: list[tuple[str, int]] = []
    blocs = await org_store.blocs_by_key(session=session)
    units = await org_store.units_by_key(session=session)
    for index, name in enumerate(spec.audience_blocs):
        bloc = blocs.get(match_key(name))
        if bloc is None or bloc.id is None:
            problems.add(
                f"audience.blocs[{index}]", N_('no bloc or cluster named "{value}"'), value=name
            )
        else:
            scopes.append(("bloc", bloc.id))
    for index, name in enumerate(spec.audience_units):
        unit = units.get(match_key(name))
        if unit is None or unit.id is None:
            problems.add(f"audience.units[{index}]", N_('no unit named "{value}"'), value=name)
        else:
            scopes.append(("unit", unit.id))
    return sorted(set(scopes))


async def _source(
    spec: CampaignSpec, problems: _Problems, session: AsyncSession
) -> Campaign | None:
    """The campaign to copy titles and targets from (usually last year's), by name."""
    if not spec.copy_from:
        return None
    wanted = match_key(spec.copy_from)
    matches = [c for c in await store.all_campaigns(session=session) if match_key(c.name) == wanted]
    if not matches:
        problems.add("copy_from", N_('no campaign named "{value}"'), value=spec.copy_from)
        return None
    return matches[-1]


async def _catalogue_with_new_items(
    spec: CampaignSpec, problems: _Problems, session: AsyncSession
) -> list[CatalogueItem]:
    items = await all_items(session=session)
    codes = {item.code.upper(): item for item in items}
    for index, new in enumerate(spec.new_catalogue_items):
        existing = codes.get(new.code.upper())
        if existing is None:
            item = await add_item(
                CatalogueItem(
                    code=new.code,
                    name=new.name,
                    kind=new.kind,
                    scope=new.scope,
                    requirement=new.requirement,
                    builtin=False,
                    rank=15,
                ),
                session=session,
            )
            items.append(item)
            codes[item.code.upper()] = item
        elif existing.builtin or existing.name != new.name:
            problems.add(
                f"new_titles[{index}].code",
                N_('the code "{value}" is already used by "{name}"'),
                value=new.code,
                name=existing.name,
            )
    return items


async def _options(
    spec: CampaignSpec,
    catalogue: list[CatalogueItem],
    source: Campaign | None,
    problems: _Problems,
    session: AsyncSession,
) -> list[int]:
    ids: list[int] = []
    for field, refs, kind in (
        ("titles", spec.titles, CatalogueKind.TITLE),
        ("awards", spec.awards, CatalogueKind.AWARD),
    ):
        for index, ref in enumerate(refs):
            item = resolve_item(ref, kind, catalogue)
            if item is None or item.id is None:
                known = ", ".join(i.code for i in catalogue if i.kind == kind)
                message = (
                    N_('"{value}" is not a title in the catalogue; known: {known}')
                    if kind == CatalogueKind.TITLE
                    else N_(
                        '"{value}" is not a form of commendation in the catalogue; known: {known}'
                    )
                )
                problems.add(f"{field}[{index}]", message, value=ref, known=known)
            else:
                ids.append(item.id)
    if source is not None and source.id is not None and not spec.titles and not spec.awards:
        ids = [
            item.id
            for item in await store.options_of(source.id, session=session)
            if item.id is not None
        ]
    return list(dict.fromkeys(ids))


def resolve_item(
    ref: str, kind: CatalogueKind, catalogue: list[CatalogueItem]
) -> CatalogueItem | None:
    """By code (LĐTT = LDTT, any case) or by full name, ignoring diacritics."""
    key = match_key(ref).replace(" ", "_")
    for item in catalogue:
        if item.kind != kind or not item.active:
            continue
        if match_key(item.code) == key or match_key(item.name) == match_key(ref):
            return item
    return None


async def _children(
    spec: CampaignSpec,
    campaign_id: int,
    scopes: list[tuple[str, int]],
    option_ids: list[int],
    source: Campaign | None,
    session: AsyncSession,
) -> list[object]:
    children: list[object] = [
        CampaignMilestone(campaign_id=campaign_id, position=index, name=m.name, due=m.due)
        for index, m in enumerate(spec.milestones, start=1)
    ]
    children += [
        CampaignAudienceScope(campaign_id=campaign_id, scope_kind=kind, scope_id=sid)
        for kind, sid in scopes
    ]
    children += [CampaignOption(campaign_id=campaign_id, item_id=item_id) for item_id in option_ids]
    wanted: list[TargetSpec | TargetTemplate] = list(spec.targets)
    if not wanted and source is not None and source.id is not None:
        wanted = list(await store.targets_of(source.id, session=session))  # copied from last year
    children += [
        TargetTemplate(
            campaign_id=campaign_id,
            position=index,
            label=t.label,
            unit=t.unit,
            type=t.type,
            required=t.required,
            min_value=t.min_value,
            max_value=t.max_value,
            max_length=t.max_length,
        )
        for index, t in enumerate(wanted, start=1)
    ]
    children += [
        CampaignDocument(
            campaign_id=campaign_id, file_name=d.path.name, content=d.path.read_bytes()
        )
        for d in spec.documents
    ]
    return children
