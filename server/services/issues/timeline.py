"""What every move of an issue uses: its row locked afresh, its timeline entry, the
photos attached to that entry."""

from __future__ import annotations

from sqlalchemy import select, update

from server.errors import ValidationFailed
from server.extensions import db
from server.models.attachments import Attachment
from server.models.issue import Issue, IssueEvent
from server.models.upload import Upload
from server.services.people.access import Principal

MAX_PHOTOS = 9


def add_event(issue, principal, action, from_status, to_status, *, now, note=None, data=None):
    """Append a timeline entry (in the transaction of the change it records)."""
    event = IssueEvent(
        issue_id=issue.id,
        compound_id=issue.compound_id,
        actor_id=principal.id if principal else None,
        action=action,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
        created_at=now,
    )
    db.session.add(event)
    db.session.flush()
    issue.last_event_id = event.id
    return event


def attach_photos(principal: Principal, issue: Issue, event: IssueEvent, ids: list[int]) -> None:
    """Attach the caller's unattached uploads to an issue event, or raise ValidationFailed."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return
    if len(ids) > MAX_PHOTOS:
        raise ValidationFailed(f"最多上传 {MAX_PHOTOS} 张照片", code="too_many_photos")
    attached = db.session.execute(
        update(Upload)
        .where(
            Upload.id.in_(ids),
            Upload.uploader_id == principal.id,
            Upload.issue_id.is_(None),
            ~select(Attachment.id).where(Attachment.upload_id == Upload.id).exists(),
        )
        .values(issue_id=issue.id, event_id=event.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if attached != len(ids):
        raise ValidationFailed("照片无效或已被使用，请重新上传", code="photo_invalid")


def lock_issue(issue_id: int) -> Issue | None:
    """The issue, row-locked and read afresh (what another transaction committed counts)."""
    return db.session.scalars(
        select(Issue)
        .where(Issue.id == issue_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
