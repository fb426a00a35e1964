"""Two handovers from the same liaison sent at the same moment: one wins, the other is
told the liaison is no longer there (409), and the unit ends with one liaison.

(Meaningful on MariaDB, where the predecessor's role row is locked; on SQLite the
write lock serialises the two.)
"""

from __future__ import annotations

from sqlalchemy import select

from server.extensions import db
from server.models import Handover, Membership
from tests.factories import build_world
from tests.helpers import together


def test_two_handovers_at_once_one_wins(app, committed_db):
    world = build_world("hc")
    unit_id = world.units[0].id
    db.session.commit()
    headers = world.headers("committee")

    def hand_to(who):
        body = {"unit": "1-1", "to_user_id": world.user_ids[who]}
        body["from_user_id"] = world.user_ids["liaison_1_1"]  # as the mini-program sends it
        return lambda: (
            app.test_client()
            .post("/api/v1/compounds/hc/handovers", json=body, headers=headers)
            .status_code
        )

    results, errors = together(app, [hand_to("resident_1_1"), hand_to("lead_1")])
    assert errors == []
    assert sorted(results) == [201, 409]
    holders = db.session.scalars(
        select(Membership.user_id).where(
            Membership.role == "liaison", Membership.unit_id == unit_id
        )
    ).all()
    handovers = db.session.scalars(select(Handover)).all()
    db.session.commit()
    assert len(holders) == 1
    assert [h.to_user_id for h in handovers] == holders
