"""Telegram handlers, one module per feature; registered in one place, in explicit groups.

Group -1 does the cross-cutting work (log the update, identify the person, pick the language);
features live in group 0, and the fallback last so every message gets an answer.
"""

from telegram.ext import Application

from handlers import (
    broadcasts,
    campaign_admin,
    campaign_replies,
    errors,
    fallback,
    flows,
    help,
    invite,
    language,
    members,
    membership,
    middleware,
    officer,
    officer_reports,
    personal_data,
    progress,
    reminders,
    scoring,
    start,
    summary,
)

MIDDLEWARE_GROUP = -1
FEATURE_GROUP = 0
FOLLOW_UP_GROUP = 1  # after a feature answered: e.g. offer to continue an unfinished flow


def register_handlers(application: Application) -> None:
    application.add_handlers(middleware.handlers(), group=MIDDLEWARE_GROUP)
    flow_handlers = flows.build()
    feature_handlers = [
        *start.handlers(),
        *help.handlers(),
        *language.handlers(),
        *invite.handlers(),
        *members.handlers(),
        *membership.handlers(),
        *campaign_replies.handlers(),
        *broadcasts.handlers(),
        *campaign_admin.handlers(),
        *officer.handlers(),
        *scoring.handlers(),
        *progress.ProgressHandlers(flow_handlers.engine).handlers(),
        *officer_reports.OfficerReports(flow_handlers.engine).handlers(),
        *reminders.ReminderHandlers(flow_handlers.engine).handlers(),
        *summary.handlers(),
        *personal_data.handlers(),
        *flow_handlers.handlers(),  # before the fallback: a flow's text and files
        *fallback.handlers(),  # last: catches whatever no feature claimed
    ]
    application.add_handlers(feature_handlers, group=FEATURE_GROUP)
    application.add_handlers(flow_handlers.followups(), group=FOLLOW_UP_GROUP)
    application.add_error_handler(errors.on_error)
