"""Photos attached to the things of money in the open: receipts, proofs, contract scans,
asset and announcement photos. Who may see one follows from what it is attached to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.clock import utcnow
from server.models.base import Base, BigId, UTCDateTime, table_args

# What an attachment can belong to, and whether the compound's residents may see it.
ATTACHMENT_SUBJECTS = {
    "expense_receipt": True,  # an expense's invoice or receipt: residents verify spending
    "expense_proof": True,  # proof of paying an expense
    "asset_photo": True,  # an ad space, a parking space
    "announcement_photo": True,
    "contract_scan": False,  # a public-income contract: committee and supervisor
    "income_receipt": False,  # public income received: committee and supervisor
    "proposal_doc": True,  # an owners' decision's documents (plans, quotes, drawings)
    # A signed paper ballot or written proxy: committee, supervisor and the compound's
    # volunteers who confirm it (photos/attachments.may_view).
    "paper_ballot": False,
    # A sweep's photos of one household (campaigns/results): committee, supervisor and
    # the compound's liaisons and building leads who take the sweep.
    "campaign_result": False,
}


class Attachment(Base):
    """One upload attached to one thing (an upload is attached at most once)."""

    __tablename__ = "attachments"
    __table_args__ = table_args(Index("ix_attachments_subject", "subject_type", "subject_id"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    compound_id: Mapped[int] = mapped_column(ForeignKey("compounds.id"), index=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id"), unique=True)
    subject_type: Mapped[str] = mapped_column(String(24))
    subject_id: Mapped[int] = mapped_column(BigId)
    # Residents of the compound may see it (ATTACHMENT_SUBJECTS at the time of attaching).
    public: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
