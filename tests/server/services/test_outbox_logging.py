"""One INFO line per queued message, with its outbox id, its kind and the queuing
request's id, never the recipient's openid or the content: a push queued alone and
pushes queued many at once by a notice (one statement) alike."""

from __future__ import annotations

import pytest
from flask import current_app
from sqlalchemy import select

from server.extensions import db
from server.logs import request_id_bound
from server.models import SubscriptionQuota
from server.models.messaging import OutboxMessage
from server.services.messaging import fanout
from tests.factories import add_person, build_world

REQUEST_ID = "req-notice-000001"
TITLE, BODY = "停水通知", "明天上午九点到十二点停水，请提前储水"


@pytest.fixture
def world(db_session):
    world = build_world("ol")
    for room in ("102", "201"):
        add_person(world, f"resident_{room}", "resident", world.household(f"1-1-{room}"))
    db.session.flush()
    template = current_app.config["WECHAT_SUBSCRIBE_TEMPLATES"][fanout.TEMPLATE]
    for who in ("resident_1_1", "resident_102", "resident_201"):  # not resident_1_2
        db.session.add(
            SubscriptionQuota(user_id=world.people[who].id, template_id=template, remaining=1)
        )
    db.session.flush()
    return world


def test_a_notice_logs_one_line_per_push_queued(world, lines):
    people = [world.people[who].id for who in world.people if who.startswith("resident")]
    with request_id_bound(REQUEST_ID):
        told, pushed = fanout.tell(
            people,
            compound_id=world.compound.id,
            key="notice-1",
            kind="notice",
            title=TITLE,
            body=BODY,
            page="pages/notices/index",
            push=True,
        )
    assert (told, pushed) == (4, 3)
    queued = lines.saying("queued")
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [line["message_id"] for line in queued] == [row.id for row in rows]
    assert {line["request_id"] for line in queued} == {REQUEST_ID}
    assert {(line["template"], line["channel"], line["level"]) for line in queued} == {
        ("reminder", "subscribe", "INFO")
    }
    raw = lines.raw()
    for person in world.people.values():
        assert person.openid not in raw
    assert TITLE not in raw
    assert BODY not in raw
