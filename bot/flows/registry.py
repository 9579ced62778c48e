"""Every chat flow the bot offers; `handlers/flows.py` builds one engine from them."""

from bot.flow_engine import Flow
from bot.flows.announce import announce_flow
from bot.flows.campaign import campaign_flow
from bot.flows.leave import leave_flow
from bot.flows.officer_return import officer_return_flow
from bot.flows.pledge import pledge_flow
from bot.flows.reminder_rules import reminder_rules_flow
from bot.flows.report import report_flow
from bot.flows.report_return import report_return_flow
from bot.flows.scoring_adjust import scoring_adjust_flow
from bot.flows.scoring_self import scoring_self_flow


def all_flows() -> tuple[Flow, ...]:
    return (
        campaign_flow(),
        announce_flow(),
        pledge_flow(),
        officer_return_flow(),
        report_flow(),
        report_return_flow(),
        leave_flow(),
        reminder_rules_flow(),
        scoring_self_flow(),
        scoring_adjust_flow(),
    )
