"""Models: columns, relations and small invariants only."""

from server.models.approvals import Approval
from server.models.attachments import Attachment
from server.models.base import Base
from server.models.binding import BindingRequest, HouseholdInvite
from server.models.board import Announcement, AnnouncementRead, Disclosure
from server.models.campaigns import Campaign, CampaignResult, CampaignUnit
from server.models.census import (
    CareCadence,
    CareTag,
    CareVisit,
    ConsentRecord,
    HouseholdCensus,
    HouseholdMember,
)
from server.models.compound import Building, Compound, Household, Unit
from server.models.console import ConsoleSession, ConsoleTicket
from server.models.decisions import Ballot, Proposal, ProposalComment, ProposalVersion, RollEntry
from server.models.fees import Bill, FeeItem, MeterReading
from server.models.governance import AuditEvent, Handover, HouseholdChange, RoleInvite, RosterImport
from server.models.income import Asset, ContractInstalment, IncomeContract, IncomeRecord
from server.models.issue import CategoryPolicy, Issue, IssueEvent, ReturnVisit
from server.models.ledger import LedgerCheckpoint, LedgerEntry, LedgerHead
from server.models.messaging import Notification, OutboxMessage, SubscriptionQuota
from server.models.payments import (
    OfflinePayment,
    OfflinePaymentBill,
    Payment,
    PaymentAnomaly,
    PaymentBill,
    PayStatement,
    ReconciliationReport,
    Refund,
)
from server.models.spending import Expense, ExpenseEvent
from server.models.system import AccessLog, JobRun, KeyValue, SchedulerLease
from server.models.upload import StoredBlob, Upload
from server.models.user import Membership, User

__all__ = [
    "AccessLog",
    "Announcement",
    "AnnouncementRead",
    "Approval",
    "Asset",
    "Attachment",
    "AuditEvent",
    "Ballot",
    "Base",
    "Bill",
    "BindingRequest",
    "Building",
    "Campaign",
    "CampaignResult",
    "CampaignUnit",
    "CareCadence",
    "CareTag",
    "CareVisit",
    "CategoryPolicy",
    "Compound",
    "ConsentRecord",
    "ConsoleSession",
    "ConsoleTicket",
    "ContractInstalment",
    "Disclosure",
    "Expense",
    "ExpenseEvent",
    "FeeItem",
    "Handover",
    "Household",
    "HouseholdCensus",
    "HouseholdChange",
    "HouseholdInvite",
    "HouseholdMember",
    "IncomeContract",
    "IncomeRecord",
    "Issue",
    "IssueEvent",
    "JobRun",
    "KeyValue",
    "LedgerCheckpoint",
    "LedgerEntry",
    "LedgerHead",
    "Membership",
    "MeterReading",
    "Notification",
    "OfflinePayment",
    "OfflinePaymentBill",
    "OutboxMessage",
    "PayStatement",
    "Payment",
    "PaymentAnomaly",
    "PaymentBill",
    "Proposal",
    "ProposalComment",
    "ProposalVersion",
    "ReconciliationReport",
    "Refund",
    "ReturnVisit",
    "RoleInvite",
    "RollEntry",
    "RosterImport",
    "SchedulerLease",
    "StoredBlob",
    "SubscriptionQuota",
    "Unit",
    "Upload",
    "User",
]
