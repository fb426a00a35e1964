"""A resident's unfiltered issue list comes from statements built once per shape
(server/services/issues/views.py `_own_list`): the same SQL, parameters and rows as
the list built for the caller by `visible_filter` on every request."""

from __future__ import annotations

import re

import pytest

from server.extensions import db
from server.services import cursors
from server.services.issues import views
from server.services.people.access import load_principal
from tests.factories import add_person, build_world, make_issue
from tests.helpers import statements


@pytest.fixture
def world(db_session):
    world = build_world("il")
    add_person(world, "no_flat", None)  # a user with no household yet
    for n in range(5):
        make_issue(*world.reporter(), title=f"报事{n}")
    make_issue(*world.reporter("resident_1_2", "1-2-101"), title="别家的")
    db.session.flush()
    return world


def _as_sent(seen: list) -> list:
    """The statements as the server gets them: named parameters (PyMySQL's pyformat)
    by position, whatever their names."""
    out = []
    for sql, params in seen:
        if isinstance(params, dict):
            params = tuple(params[name] for name in re.findall(r"%\((\w+)\)s", sql))
            sql = re.sub(r"%\(\w+\)s", "%s", sql)
        out.append((sql, tuple(params)))
    return out


def _both(monkeypatch, principal, **kwargs):
    """(statements, answer) of the list built once and of the list built per request."""
    fast_sent, fast = [], []
    fast_sent += statements(
        lambda: fast.append(views.list_issues(principal, views.Filters(), **kwargs))
    )
    with monkeypatch.context() as patched:
        patched.setattr(views, "_residents_own", lambda *_args: None)
        slow_sent, slow = [], []
        slow_sent += statements(
            lambda: slow.append(views.list_issues(principal, views.Filters(), **kwargs))
        )
    return (_as_sent(fast_sent), fast[0]), (_as_sent(slow_sent), slow[0])


@pytest.mark.parametrize("who", ["resident_1_1", "resident_1_2", "no_flat"])
def test_the_built_once_list_is_the_visible_filters_list(world, monkeypatch, who):
    principal = load_principal(world.user_ids[who])
    (fast_sent, fast), (slow_sent, slow) = _both(monkeypatch, principal, limit=2)
    assert fast_sent == slow_sent
    assert fast == slow
    rows, next_cursor = fast
    if who == "resident_1_1":
        assert [row.issue.title for row in rows] == ["报事4", "报事3"]
        (fast_sent, fast), (slow_sent, slow) = _both(
            monkeypatch, principal, limit=2, cursor=next_cursor
        )
        assert fast_sent == slow_sent
        assert [row.issue.title for row in fast[0]] == ["报事2", "报事1"]
        assert fast == slow
    if who == "no_flat":
        assert rows == []
        assert next_cursor is None


def test_a_volunteer_or_a_filter_takes_the_list_built_per_request(world):
    liaison = load_principal(world.user_ids["liaison_1_1"])
    resident = load_principal(world.user_ids["resident_1_1"])
    assert views._residents_own(liaison, views.Filters(), None) is None
    assert views._residents_own(resident, views.Filters(status="submitted"), None) is None
    assert views._residents_own(resident, views.Filters(mine=True), None) is None
    _statement, params = views._residents_own(resident, views.Filters(), cursors.decode(None))
    assert params["me"] == resident.id
    assert params["households"] == sorted(resident.household_ids)
