"""People (one per mini-program openid) and the roles they hold."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.clock import utcnow
from server.models.base import Base, BigId, UTCDateTime, table_args

# Role → the level of the tree it is scoped to.
ROLE_SCOPES = {
    "resident": "household",
    "liaison": "unit",
    "building_lead": "building",
    "committee": "compound",
    "supervisor": "compound",
    "admin": "platform",
}
ROLES = tuple(ROLE_SCOPES)
RELATIONS = ("owner", "tenant", "family")


class User(Base):
    """A WeChat user of the mini-program. `session_key` never leaves the server."""

    __tablename__ = "users"
    __table_args__ = table_args()

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    unionid: Mapped[str | None] = mapped_column(String(64), index=True)
    nickname: Mapped[str | None] = mapped_column(String(64))
    # The same person's openid in the official account (linked through unionid).
    oa_openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    session_key: Mapped[str | None] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A number this volunteer chose to share with the residents they serve (我的联络人).
    shared_phone: Mapped[str | None] = mapped_column(String(20))

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", foreign_keys="Membership.user_id"
    )

    def __repr__(self) -> str:  # never show session_key
        return f"<User {self.id} {self.openid}>"


class Membership(Base):
    """A role held over one scope: a household, unit, building, compound or the platform.

    `scope_key` ("h:12", "u:3", "b:1", "c:1", "platform") makes a role unique per
    scope even though MySQL lets NULLs repeat in unique keys.
    """

    __tablename__ = "memberships"
    __table_args__ = table_args(UniqueConstraint("user_id", "role", "scope_key"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(20))
    scope_key: Mapped[str] = mapped_column(String(40))
    compound_id: Mapped[int | None] = mapped_column(ForeignKey("compounds.id"), index=True)
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    relation: Mapped[str | None] = mapped_column(String(10))
    # How a resident named themself when binding (personal data: shown to their
    # liaison and the committee only).
    name: Mapped[str | None] = mapped_column(String(32))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A committee member's term (first and last day); None for roles without terms.
    term_start: Mapped[date | None] = mapped_column(Date)
    term_end: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships", foreign_keys=[user_id])

    @property
    def scope(self) -> str:
        return ROLE_SCOPES[self.role]


def scope_key_for(role: str, compound_id=None, building_id=None, unit_id=None, household_id=None):
    """The unique scope key of a role at its level of the tree."""
    scope = ROLE_SCOPES[role]
    return {
        "household": lambda: f"h:{household_id}",
        "unit": lambda: f"u:{unit_id}",
        "building": lambda: f"b:{building_id}",
        "compound": lambda: f"c:{compound_id}",
        "platform": lambda: "platform",
    }[scope]()
