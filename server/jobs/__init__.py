"""Periodic work, declared as data. `flask --app server scheduler` runs it.

Each job names a function (called with no arguments inside an app context), a
trigger and its schedule in Asia/Shanghai time, and how late it may still run.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Job:
    name: str
    func: str  # "module:function"
    trigger: str  # "interval" or "cron" (APScheduler trigger names)
    schedule: dict = field(default_factory=dict)
    misfire_grace_time: int = 300
    description: str = ""


JOBS: list[Job] = [
    Job(
        name="dispatch_outbox",
        func="server.jobs.tasks:dispatch_outbox",
        trigger="interval",
        schedule={"seconds": 5},
        misfire_grace_time=30,
        description="Send queued WeChat pushes (retries with backoff through outages).",
    ),
    Job(
        name="escalate_overdue",
        func="server.services.issues.deadlines:escalate_overdue",
        trigger="interval",
        schedule={"minutes": 15},
        misfire_grace_time=600,
        description="Raise overdue issues to the building lead, then the committee.",
    ),
    Job(
        name="auto_close_resolved",
        func="server.services.issues.closing:auto_close_due",
        trigger="interval",
        schedule={"minutes": 15},
        misfire_grace_time=600,
        description="Close issues resolved 7 days ago that nobody confirmed.",
    ),
    Job(
        name="return_visits",
        func="server.services.issues.return_visits:send_due",
        trigger="interval",
        schedule={"minutes": 15},
        misfire_grace_time=600,
        description="Ask 'is it still fixed?' a week after closing (or task the liaison).",
    ),
    Job(
        name="make_care_visits",
        func="server.services.care.schedule:make_visits",
        trigger="cron",
        schedule={"hour": 6, "minute": 0},
        misfire_grace_time=6 * 3600,
        description="Give every tagged household of the open compounds its next care visit "
        "(and cancel those of households no longer tagged).",
    ),
    Job(
        name="escalate_care_visits",
        func="server.services.care.escalation:escalate_missed",
        trigger="interval",
        schedule={"hours": 1},
        misfire_grace_time=1800,
        description="Missed care visits: to the building lead after the grace days, to the "
        "committee after as many again.",
    ),
    Job(
        name="referral_follow_ups",
        func="server.services.issues.deadlines:remind_referrals",
        trigger="cron",
        schedule={"hour": 9, "minute": 0},
        misfire_grace_time=6 * 3600,
        description="Remind handlers of referred issues on and after the follow-up date.",
    ),
    Job(
        name="generate_bills",
        func="server.jobs.tasks:generate_this_months_bills",
        trigger="cron",
        schedule={"day": 1, "hour": 1, "minute": 5},
        misfire_grace_time=24 * 3600,
        description="Create the month's bills (running twice creates nothing new).",
    ),
    Job(
        name="draft_disclosures",
        func="server.services.disclosures.monthly:draft_last_month",
        trigger="cron",
        schedule={"day": 1, "hour": 2, "minute": 0},
        misfire_grace_time=24 * 3600,
        description="Draft last month's disclosure (月度公示) for each compound that has "
        "none; ask its supervisor to check it.",
    ),
    Job(
        name="close_due_proposals",
        func="server.jobs.tasks:close_due_proposals",
        trigger="interval",
        schedule={"minutes": 5},
        misfire_grace_time=240,
        description="Close owners' votes whose time has come: count, store the result, "
        "apply a passed one, tell every member (archived compounds left alone).",
    ),
    Job(
        name="escalate_overdue_campaigns",
        func="server.services.campaigns.escalation:escalate_overdue_campaigns",
        trigger="cron",
        schedule={"hour": 9, "minute": 0},
        misfire_grace_time=6 * 3600,
        description="Push the building lead (or the committee) once about each unit of an "
        "open sweep past its due day with households not yet visited.",
    ),
    Job(
        name="reconcile_payments",
        func="server.jobs.tasks:reconcile_payments",
        trigger="interval",
        schedule={"minutes": 5},
        misfire_grace_time=240,
        description="Credit paid orders whose notification was lost; close expired ones.",
    ),
    Job(
        name="close_cancelled_payments",
        func="server.jobs.tasks:close_cancelled_payments",
        trigger="interval",
        schedule={"minutes": 1},
        misfire_grace_time=50,
        description="Close cancelled orders at WeChat Pay once it allows, freeing their bills.",
    ),
    Job(
        name="send_refunds",
        func="server.jobs.tasks:send_refunds",
        trigger="interval",
        schedule={"minutes": 1},
        misfire_grace_time=50,
        description="Send confirmed refunds to WeChat Pay; ask after those it is processing.",
    ),
    Job(
        name="payment_report",
        func="server.jobs.tasks:payment_report",
        trigger="cron",
        schedule={"hour": 2, "minute": 30},
        misfire_grace_time=12 * 3600,
        description="Compare yesterday's orders with WeChat Pay; keep every difference.",
    ),
    Job(
        name="read_pay_statements",
        func="server.jobs.tasks:read_pay_statements",
        trigger="cron",
        schedule={"hour": 10, "minute": 30},
        misfire_grace_time=12 * 3600,
        description="Read WeChat Pay's daily statements (and days not ready before); "
        "compare each line, book the fees.",
    ),
    Job(
        name="remind_unpaid",
        func="server.services.money.reminders:remind_unpaid",
        trigger="cron",
        schedule={"day": "10,20", "hour": 19, "minute": 0},
        misfire_grace_time=6 * 3600,
        description="Remind households with unpaid bills (push, or the liaison's list).",
    ),
    Job(
        name="remind_overdue_income",
        func="server.services.income.reminders:remind_overdue",
        trigger="cron",
        schedule={"hour": 9, "minute": 30},
        misfire_grace_time=6 * 3600,
        description="Tell the committee of contract instalments overdue by over a week (once).",
    ),
    Job(
        name="expire_binding_requests",
        func="server.services.people.bindings:expire_stale",
        trigger="cron",
        schedule={"hour": 3, "minute": 10},
        misfire_grace_time=6 * 3600,
        description="Binding requests nobody decided within 30 days expire.",
    ),
    Job(
        name="prune_job_runs",
        func="server.services.platform.maintenance:prune_job_runs",
        trigger="cron",
        schedule={"hour": 3, "minute": 40},
        misfire_grace_time=6 * 3600,
        description="Forget job-run records older than 14 days.",
    ),
    Job(
        name="prune_expired_values",
        func="server.services.platform.maintenance:prune_expired_values",
        trigger="cron",
        schedule={"hour": 3, "minute": 50},
        misfire_grace_time=6 * 3600,
        description="Forget expired shared values (tokens, seen nonces).",
    ),
    Job(
        name="prune_desk_sign_ins",
        func="server.services.console.sessions:prune",
        trigger="cron",
        schedule={"hour": 3, "minute": 55},
        misfire_grace_time=6 * 3600,
        description="Forget desk QR codes older than a day and desk sessions over for 180 days.",
    ),
    Job(
        name="anonymise_moved_out",
        func="server.services.privacy.retention:anonymise_moved_out",
        trigger="cron",
        schedule={"hour": 3, "minute": 30},
        misfire_grace_time=6 * 3600,
        description="Anonymise census members moved out longer ago than the compound's "
        "retention (180 days), and drop the care tags of households moved out that long.",
    ),
    Job(
        name="verify_ledger",
        func="server.services.money.ledger_checks:verify_new_entries",
        trigger="cron",
        schedule={"hour": 4, "minute": 20},
        misfire_grace_time=12 * 3600,
        description="Check each ledger chain's entries since its last verified checkpoint "
        "(daily; the views then check only the day's entries) and record a new checkpoint.",
    ),
    Job(
        name="verify_ledger_full",
        func="server.services.money.ledger_checks:verify_from_genesis",
        trigger="cron",
        schedule={"day_of_week": "sun", "hour": 4, "minute": 40},
        misfire_grace_time=24 * 3600,
        description="Recompute every ledger chain from the genesis (weekly): finds an entry "
        "changed before the newest checkpoint; records full checkpoints.",
    ),
]
