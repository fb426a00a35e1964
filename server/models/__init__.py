"""Models: columns, relations and small invariants only."""

from server.models.base import Base, utcnow
from server.models.binding import BindingRequest, HouseholdInvite
from server.models.compound import Building, Compound, Household, Unit
from server.models.fees import FeeItem
from server.models.system import AccessLog, JobRun, KeyValue, SchedulerLease
from server.models.upload import Upload
from server.models.user import Membership, User

__all__ = [
    "AccessLog",
    "Base",
    "BindingRequest",
    "Building",
    "Compound",
    "FeeItem",
    "Household",
    "HouseholdInvite",
    "JobRun",
    "KeyValue",
    "Membership",
    "SchedulerLease",
    "Unit",
    "Upload",
    "User",
    "utcnow",
]
