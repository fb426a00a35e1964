"""Photos attached to the things of money in the open (an expense's receipts, a payment
proof, a contract scan, an asset's or an announcement's photos).

Only the caller's own uploads, not yet used anywhere (not on an issue, not a cash
receipt, not attached already), can be attached; the unique upload_id of an attachment
decides between two uses at once. Who may see one: the compound's residents when the
kind is public (ATTACHMENT_SUBJECTS), else its committee and supervisor (and, for a
paper ballot's photo, the compound's liaisons and building leads who confirm it).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.errors import ValidationFailed
from server.extensions import db
from server.models import Attachment, OfflinePayment, Upload
from server.models.attachments import ATTACHMENT_SUBJECTS
from server.services.people.access import Principal

MAX_PHOTOS = 9


def attach(
    principal: Principal,
    compound_id: int,
    subject_type: str,
    subject_id: int,
    upload_ids: list[int] | None,
) -> list[int]:
    """Attach the caller's fresh uploads, in order (no commit). Raises ValidationFailed
    (too_many_photos, photo_invalid). Returns the upload ids attached."""
    public = ATTACHMENT_SUBJECTS[subject_type]  # a KeyError is a typo, not data
    ids = list(dict.fromkeys(upload_ids or []))
    if not ids:
        return []
    if len(ids) > MAX_PHOTOS:
        raise ValidationFailed(f"最多上传 {MAX_PHOTOS} 张照片", code="too_many_photos")
    fresh = set(
        db.session.scalars(
            select(Upload.id).where(
                Upload.id.in_(ids),
                Upload.uploader_id == principal.id,
                Upload.issue_id.is_(None),
                ~select(OfflinePayment.id)
                .where(OfflinePayment.receipt_upload_id == Upload.id)
                .exists(),
                ~select(Attachment.id).where(Attachment.upload_id == Upload.id).exists(),
            )
        )
    )
    if fresh != set(ids):
        raise _invalid()
    try:
        with db.session.begin_nested():
            for position, upload_id in enumerate(ids):
                db.session.add(
                    Attachment(
                        compound_id=compound_id,
                        upload_id=upload_id,
                        subject_type=subject_type,
                        subject_id=subject_id,
                        public=public,
                        position=position,
                    )
                )
            db.session.flush()
    except IntegrityError:  # the same photo attached elsewhere at the same moment
        raise _invalid() from None
    return ids


def of(subject_type: str, subject_ids: list[int]) -> dict[int, list[int]]:
    """Subject id → its upload ids in order (one query for a whole list)."""
    found: dict[int, list[int]] = {sid: [] for sid in subject_ids}
    if not subject_ids:
        return found
    rows = db.session.execute(
        select(Attachment.subject_id, Attachment.upload_id)
        .where(Attachment.subject_type == subject_type, Attachment.subject_id.in_(subject_ids))
        .order_by(Attachment.subject_id, Attachment.position, Attachment.id)
    ).all()
    for subject_id, upload_id in rows:
        found[subject_id].append(upload_id)
    return found


def may_view(principal: Principal, upload_id: int) -> bool | None:
    """Whether the caller may see an attached photo; None when it is attached to nothing
    here (the caller then asks the other owners of photos)."""
    row = db.session.execute(
        select(Attachment.compound_id, Attachment.public, Attachment.subject_type).where(
            Attachment.upload_id == upload_id
        )
    ).first()
    if row is None:
        return None
    compound_id, public, subject_type = row
    if principal.committee_of(compound_id) or principal.supervisor_of(compound_id):
        return True
    if subject_type in ("paper_ballot", "campaign_result"):  # the volunteers who take them
        return any(
            m.compound_id == compound_id and m.role in ("liaison", "building_lead")
            for m in principal.memberships
        )
    return bool(public) and compound_id in principal.compound_ids


def _invalid() -> ValidationFailed:
    return ValidationFailed("照片无效或已被使用，请重新上传", code="photo_invalid")
