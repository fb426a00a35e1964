"""The bench's floors (scripts/bench/floor.py, floor_capture.py): what a real request
sends to the database is captured, the floor sends it again through the raw driver and
answers the same JSON, and the check notices when the app's statements change."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select
from werkzeug.test import Client

from scripts.bench import floor, floor_capture
from scripts.bench.run import line
from server.extensions import db
from server.models import Issue
from server.services.people import principal_cache
from tests.factories import build_world, make_bill, make_issue
from tests.timing import month


@pytest.fixture
def resident(committed_db):
    """A resident of 1-1-101 with two bills and one issue, committed (the floor reads on
    its own connection); their token and household id."""
    world = build_world("fl")
    make_bill(world, period=month(-1))
    make_bill(world, period=month(0), amount_fen=3100)
    make_issue(*world.reporter())
    token, household = world.tokens["resident_1_1"], world.household_ids["1-1-101"]
    db.session.commit()
    return token, household


def serve(app, database_url, samples, mode):
    return Client(floor.Floor(samples, database_url, mode))


def ask(client, request_line):
    method, path, auth, ctype, body = request_line.split("\t", 4)
    headers = {"Authorization": auth} if auth else {}
    if ctype:
        headers["Content-Type"] = ctype
    return client.open(path, method=method, headers=headers, data=body.encode() or None)


def test_a_read_is_captured_and_the_floors_answer_what_the_app_answers(app, database_url, resident):
    token, _ = resident
    bills = line("GET", "/api/v1/bills", token)
    [sample] = floor_capture.capture(app, "my bills", [bills])

    kinds = [op[0] for op in sample.ops]
    # No pre-ping (a request whose pooled connection died is run again) and one
    # ROLLBACK at the end: the round trips a careful hand-written app would make.
    assert kinds == [floor.EXECUTE] * kinds.count(floor.EXECUTE) + [floor.ROLLBACK]
    assert floor.COMMIT not in kinds
    assert sample.statements == kinds.count(floor.EXECUTE) >= 2
    assert any("FROM bills" in op[1] for op in sample.ops if op[0] == floor.EXECUTE)
    real = ask(app.test_client(), bills)
    assert sample.status == 200
    assert sample.body == real.get_data()
    assert len(json.loads(sample.body)["items"]) == 2

    for mode in ("same", "lean"):
        answer = ask(serve(app, database_url, [sample], mode), bills)
        assert answer.status_code == 200
        assert answer.get_data() == real.get_data()
        assert answer.headers["Content-Type"] == "application/json"
    lean = sample.lean_ops()
    assert [op[0] for op in lean] == [floor.EXECUTE] * sample.statements + [floor.ROLLBACK]

    unknown = ask(serve(app, database_url, [sample], "same"), line("GET", "/api/v1/bills"))
    assert unknown.status_code == 404


def test_a_submit_is_captured_rolled_back_and_replayed_rolled_back(app, database_url, resident):
    token, household = resident
    body = {
        "category": "repair",
        "title": "水管漏水",
        "description": "压力测试",
        "household_id": household,
    }
    submit = line("POST", "/api/v1/issues", token, "application/json", json.dumps(body))
    before = issue_count()

    [sample] = floor_capture.capture(app, "submit issue", [submit])

    assert sample.status == 201
    assert json.loads(sample.body)["title"] == "水管漏水"
    kinds = [op[0] for op in sample.ops]
    assert floor.COMMIT in kinds  # recorded, not sent
    inserts = [op for op in sample.ops if op[0] in floor.STATEMENTS and "INSERT" in op[1]]
    assert any(op[3] for op in inserts)  # the issue's new id, taken
    assert any(op[4] for op in inserts)  # and carried by a later row (its timeline)
    assert issue_count() == before  # the capture changed nothing

    for mode in ("same", "lean"):
        answer = ask(serve(app, database_url, [sample], mode), submit)
        assert answer.status_code == 201
        assert answer.get_data() == sample.body
    assert issue_count() == before  # nor did the floors: their transaction is rolled back


def test_the_check_flags_statements_the_floor_does_not_replay(app, resident):
    token, _ = resident
    bills = line("GET", "/api/v1/bills", token)
    samples = floor_capture.capture(app, "my bills", [bills])

    probed, problems = floor_capture.check(app, "my bills", samples, [bills])
    assert problems == []
    assert floor_capture.shape(probed[0].ops) == floor_capture.shape(samples[0].ops)

    # The app changed since the capture: one statement more in what it sends now.
    statement = next(op for op in samples[0].ops if op[0] == floor.EXECUTE)[1]
    samples[0].ops = [op for op in samples[0].ops if op[1:2] != (statement,)]
    _, problems = floor_capture.check(app, "my bills", samples, [bills])
    assert len(problems) == 1
    assert problems[0].startswith("my bills: call ")
    sent_now = f"now is [execute {floor_capture.normalise(statement)}]"
    assert sent_now in problems[0]


@pytest.fixture
def caller_cache_on(app, monkeypatch):
    """The caller's user and roles cached per app, as in production."""
    monkeypatch.setitem(app.config, "PRINCIPAL_CACHE_SECONDS", 5)
    app.extensions.pop(principal_cache.EXTENSION, None)
    yield
    app.extensions.pop(principal_cache.EXTENSION, None)


def test_a_probe_stands_whether_its_caller_was_cached_at_the_capture_or_not(
    app, resident, caller_cache_on
):
    token, _ = resident
    bills = line("GET", "/api/v1/bills", token)
    cold = floor_capture.capture(app, "my bills", [bills])  # the caller loaded
    warm = floor_capture.capture(app, "my bills", [bills])  # the caller cached
    assert len(floor_capture.shape(cold[0].ops)) > len(floor_capture.shape(warm[0].ops))

    for samples in (cold, warm):
        app.extensions.pop(principal_cache.EXTENSION)  # expired since the capture
        probed, problems = floor_capture.check(app, "my bills", samples, [bills])
        assert problems == []
        assert floor_capture.shape(probed[0].ops) == floor_capture.shape(samples[0].ops)


def test_the_normalised_text_folds_what_varies_between_requests():
    a = "SELECT b.id FROM bills b\n  WHERE b.household_id IN (%s, %s, %s) LIMIT %s"
    b = "SELECT b.id FROM bills b WHERE b.household_id IN (%s) LIMIT %s"
    assert floor_capture.normalise(a) == floor_capture.normalise(b)
    assert (
        floor_capture.normalise(b)
        == "SELECT b.id FROM bills b WHERE b.household_id IN (%s…) LIMIT %s…"
    )
    rows = "INSERT INTO t (a, b) VALUES (%s, %s), (%s, %s), (%s, %s)"
    assert floor_capture.normalise(rows) == "INSERT INTO t (a, b) VALUES (%s…)…"


def issue_count() -> int:
    count = db.session.scalar(select(func.count()).select_from(Issue))
    db.session.commit()
    return count


def test_a_new_id_is_followed_only_where_a_parameter_is_named_for_it():
    insert = "INSERT INTO issues (compound_id, title) VALUES (%(compound_id)s, %(title)s)"
    event = (
        "INSERT INTO issue_events (issue_id, compound_id) VALUES (%(issue_id)s, %(compound_id)s)"
    )
    update = "UPDATE issues SET status=%(status)s WHERE issues.id = %(id_1)s"
    ops = [
        [floor.EXECUTE, insert, {"compound_id": 3, "title": "x"}, floor.RETURNED, (3, "issues")],
        [floor.EXECUTE, event, {"issue_id": 3, "compound_id": 3}, floor.LASTROWID, (9, "x")],
        [floor.EXECUTE, update, {"status": "closed", "id_1": 3}, 0, (None, None)],
        [floor.EXECUTE, "SELECT %s, %s", (3, 9), 0, (None, None)],
    ]
    linked = floor_capture._link_new_ids(ops)
    # issue 3 is also compound 3: only the parameters named for the issue follow it
    assert linked[1][2] == {"issue_id": floor.NewId(0), "compound_id": 3}
    assert linked[2][2] == {"status": "closed", "id_1": floor.NewId(0)}
    assert linked[3][2] == (floor.NewId(0), floor.NewId(1))
    assert [op[4] for op in linked] == [False, True, True, True]
    assert floor._resolve(linked[3][2], [41, 42]) == (41, 42)


@pytest.mark.parametrize(
    ("url", "module"),
    [
        ("mysql+pymysql://root@127.0.0.1/x?charset=utf8mb4", "pymysql"),
        ("mysql+mysqldb://root@127.0.0.1/x?charset=utf8mb4", "MySQLdb"),
        ("sqlite:///x.sqlite3", "sqlite3.dbapi2"),
    ],
)
def test_the_floor_talks_through_the_driver_the_app_s_url_names(url, module):
    pytest.importorskip(module)
    database = floor.Database(url)
    assert database.module.__name__ == module
    if module != "sqlite3.dbapi2":
        assert database.cparams["charset"] == "utf8mb4"
