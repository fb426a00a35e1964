"""Models: columns, relations and small invariants only."""

from server.models.approvals import Approval
from server.models.base import Base
from server.models.binding import BindingRequest, HouseholdInvite
from server.models.compound import Building, Compound, Household, Unit
from server.models.fees import Bill, FeeItem, MeterReading
from server.models.governance import AuditEvent, Handover, HouseholdChange, RoleInvite, RosterImport
from server.models.issue import CategoryPolicy, Issue, IssueEvent, ReturnVisit
from server.models.ledger import LedgerEntry, LedgerHead
from server.models.messaging import Notification, OutboxMessage, SubscriptionQuota
from server.models.payments import (
    OfflinePayment,
    OfflinePaymentBill,
    Payment,
    PaymentAnomaly,
    PaymentBill,
    ReconciliationReport,
)
from server.models.system import AccessLog, JobRun, KeyValue, SchedulerLease
from server.models.upload import Upload
from server.models.user import Membership, User

__all__ = [
    "AccessLog",
    "Approval",
    "AuditEvent",
    "Base",
    "Bill",
    "BindingRequest",
    "Building",
    "CategoryPolicy",
    "Compound",
    "FeeItem",
    "Handover",
    "Household",
    "HouseholdChange",
    "HouseholdInvite",
    "Issue",
    "IssueEvent",
    "JobRun",
    "KeyValue",
    "LedgerEntry",
    "LedgerHead",
    "Membership",
    "MeterReading",
    "Notification",
    "OfflinePayment",
    "OfflinePaymentBill",
    "OutboxMessage",
    "Payment",
    "PaymentAnomaly",
    "PaymentBill",
    "ReconciliationReport",
    "ReturnVisit",
    "RoleInvite",
    "RosterImport",
    "SchedulerLease",
    "SubscriptionQuota",
    "Unit",
    "Upload",
    "User",
]
