"""Going live end to end, from a clean install with no demo, over the API and the CLI:

the street office opens a compound and invites its first committee member by CLI →
the committee member loads a 3-building roster (the dry run shows a broken file's
errors, the fixed file applies) → appoints a liaison per unit by invite → a resident
binds (the new liaison approves) and reports → the push goes to the newly appointed
liaison → a handover moves an open issue and its return visit to the successor →
another compound's committee can do none of it (404).
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

from freezegun import freeze_time
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from server.extensions import db
from server.models import Household, Issue, ReturnVisit
from server.services.issues import return_visits
from tests.factories import build_world
from tests.helpers import dispatch
from tests.steps import sign_in

CODE = "xinhua-1"
HEADERS = ["楼栋", "单元", "房号", "建筑面积(m²)", "楼层", "状态", "备注"]
UNITS = [f"{b}-{u}" for b in (1, 2, 3) for u in (1, 2)]


def roster_rows() -> list[list]:
    """3 buildings × 2 units × 3 floors × 2 doors: 36 flats, one of them empty."""
    rows = []
    for building in (1, 2, 3):
        for unit in (1, 2):
            for floor in (1, 2, 3):
                for door in (1, 2):
                    room = f"{floor}0{door}"
                    status = "空置" if (building, unit, room) == (3, 2, "302") else "自住"
                    rows.append(
                        [f"{building}号楼", f"{unit}单元", room, "68.40", floor, status, ""]
                    )
    return rows


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class Person:
    """Someone with the mini-program: signs in with wx.login (the sandbox's demo codes)."""

    def __init__(self, client, openid: str):
        self.client, self.openid = client, openid
        body = sign_in(client, f"demo-{openid}").get_json()
        self.id = body["user"]["id"]
        self.headers = {"Authorization": f"Bearer {body['token']}"}

    def get(self, url: str, **kwargs):
        return self.client.get(url, headers=self.headers, **kwargs)

    def post(self, url: str, body=None, **kwargs):
        if "data" in kwargs:
            return self.client.post(url, headers=self.headers, **kwargs)
        return self.client.post(url, json=body, headers=self.headers, **kwargs)

    def subscribe(self, *names: str) -> None:
        config = self.client.get("/api/v1/config").get_json()
        ids = [config["subscribe_templates"][name] for name in names]
        answer = self.post("/api/v1/me/subscriptions", {"accepted": ids})
        assert answer.status_code == 200, answer.get_json()

    def redeem(self, code: str) -> dict:
        answer = self.post("/api/v1/role-invites/redeem", {"code": code})
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()

    def upload_roster(self, data: bytes, *, dry_run: bool):
        files = {"file": (io.BytesIO(data), "名册.xlsx")}
        query = "?dry_run=true" if dry_run else ""
        return self.post(
            f"/api/v1/compounds/{CODE}/roster{query}",
            data=files,
            content_type="multipart/form-data",
        )


def test_a_street_office_opens_a_compound_and_its_people_run_it(app, sandbox, committed_db):
    cli = app.test_cli_runner()
    client = app.test_client()

    # The street office opens the compound and invites the committee's chair.
    opened = cli.invoke(
        args=["compounds", "create", CODE, "--name", "新华里小区", "--street", "新华街道"]
    )
    assert opened.exit_code == 0, opened.output
    invited = cli.invoke(args=["compounds", "invite", CODE, "--name", "张主任"])
    assert invited.exit_code == 0, invited.output
    chair_code = re.search(r"邀请码：(\S+)", invited.output).group(1)
    chair = Person(client, "chair-zhang")
    appointed = chair.redeem(chair_code)
    assert (appointed["role"], appointed["compound"]["code"]) == ("committee", CODE)
    again = Person(client, "someone-else").post("/api/v1/role-invites/redeem", {"code": chair_code})
    assert (again.status_code, again.get_json()["code"]) == (409, "invite_used")

    # The roster: a template to fill in; a broken file's dry run names each problem and
    # changes nothing; applying it is refused; the fixed file applies.
    template = chair.get(f"/api/v1/compounds/{CODE}/roster/template.xlsx")
    assert template.status_code == 200
    assert [c.value for c in load_workbook(io.BytesIO(template.data)).active[1]][:4] == (
        HEADERS[:4]
    )
    good = roster_rows()
    broken = [list(row) for row in good]
    broken[0][3] = ""  # row 2: no area
    broken[4][3] = "八十"  # row 6: not a number
    broken[7] = list(broken[6])  # row 9 repeats row 8's flat
    dry = chair.upload_roster(xlsx(broken), dry_run=True)
    assert dry.status_code == 200, dry.get_json()
    problems = {(p["row"], p["column"]) for p in dry.get_json()["problems"]}
    assert {(2, "建筑面积(m²)"), (6, "建筑面积(m²)")} <= problems
    assert 9 in {row for row, _column in problems}
    refused = chair.upload_roster(xlsx(broken), dry_run=False)
    assert (refused.status_code, refused.get_json()["code"]) == (400, "roster_invalid")
    assert db.session.scalar(select(Household.id).limit(1)) is None
    db.session.commit()

    checked = chair.upload_roster(xlsx(good), dry_run=True).get_json()
    assert checked["problems"] == []
    assert (checked["buildings"]["create"], checked["households"]["create"]) == (3, 36)
    applied = chair.upload_roster(xlsx(good), dry_run=False)
    assert applied.status_code == 200, applied.get_json()
    assert applied.get_json()["applied"] is True
    overview = chair.get(f"/api/v1/compounds/{CODE}/overview").get_json()
    assert overview["totals"] | {} == {
        "buildings": 3,
        "units": 6,
        "households": 36,
        "vacant": 1,
        "bound": 0,
    }

    # A liaison per unit, each appointed by an invite they redeem themselves.
    liaisons = {}
    for unit in UNITS:
        made = chair.post(
            f"/api/v1/compounds/{CODE}/role-invites",
            {"role": "liaison", "unit": unit, "name": f"{unit}联络人"},
        )
        assert made.status_code == 201, made.get_json()
        assert made.get_json()["qr"].startswith("data:image/png;base64,")
        liaisons[unit] = Person(client, f"liaison-{unit}")
        assert liaisons[unit].redeem(made.get_json()["code"])["scope_label"] == (
            "{}号楼{}单元".format(*unit.split("-"))
        )
    people = chair.get(f"/api/v1/compounds/{CODE}/people").get_json()
    assert sum(1 for p in people["items"] if p["role"] == "liaison") == 6
    (chair_row,) = [p for p in people["items"] if p["role"] == "committee"]
    assert (chair_row["name"], chair_row["user_id"]) == ("张主任", chair.id)
    overview = chair.get(f"/api/v1/compounds/{CODE}/overview").get_json()
    assert all(b["units_without_liaison"] == 0 for b in overview["buildings"])

    # A resident binds to 2-1-301; the unit's new liaison approves.
    liaison = liaisons["2-1"]
    liaison.subscribe("new_issue")
    resident = Person(client, "resident-wang")
    asked = resident.post(
        "/api/v1/bindings",
        {
            "compound": CODE,
            "building": 2,
            "unit": 1,
            "room": "301",
            "name": "王大爷",
            "relation": "owner",
        },
    )
    assert asked.status_code == 201, asked.get_json()
    approved = liaison.post(f"/api/v1/bindings/{asked.get_json()['id']}/approve")
    assert approved.status_code == 200, approved.get_json()
    (home,) = resident.get("/api/v1/me").get_json()["households"]
    assert home["label"] == "2-1-301"
    (mine,) = resident.get("/api/v1/me/liaisons").get_json()["items"]
    assert (mine["unit_label"], [p["name"] for p in mine["liaisons"]]) == (
        "2号楼1单元",
        ["2-1联络人"],
    )
    assert mine["liaisons"][0]["phone"] is None  # not shared: no number, no call button

    # The resident reports; the push goes to the newly appointed liaison.
    dispatch(app)
    sandbox.reset()
    reported = resident.post(
        "/api/v1/issues",
        {
            "category": "repair",
            "title": "楼道灯不亮",
            "description": "三楼楼道灯坏了",
            "household_id": home["id"],
        },
    )
    assert reported.status_code == 201, reported.get_json()
    open_id = reported.get_json()["id"]
    assert dispatch(app).sent >= 1
    (push,) = sandbox.messages(touser=liaison.openid)
    assert push["page"] == f"pages/issue/index?id={open_id}"
    assert [m for m in sandbox.messages() if m["touser"] == liaisons["1-1"].openid] == []

    # The liaison takes it on, and visits after another (a care issue) is closed.
    taken = liaison.post(f"/api/v1/issues/{open_id}/transitions", {"action": "accept"})
    assert taken.status_code == 200, taken.get_json()
    care = resident.post(
        "/api/v1/issues",
        {
            "category": "care",
            "title": "独居老人需要帮忙买菜",
            "description": "腿脚不便，每周想请人帮忙买一次菜",
            "household_id": home["id"],
        },
    ).get_json()["id"]
    for who, body in (
        (liaison, {"action": "accept"}),
        (liaison, {"action": "resolve", "note": "已联系志愿者"}),
        (resident, {"action": "confirm", "rating": 5}),
    ):
        done = who.post(f"/api/v1/issues/{care}/transitions", body)
        assert done.status_code == 200, done.get_json()
    visit = db.session.scalars(select(ReturnVisit).where(ReturnVisit.issue_id == care)).one()
    assert (visit.kind, visit.assignee_id) == ("in_person", liaison.id)
    visit_id = visit.id
    db.session.commit()

    # The liaison steps down: the committee hands 2-1 over to a neighbour who accepted
    # the role; the open issue and the visit move to the successor, who is told.
    successor = Person(client, "successor-li")
    successor.subscribe("reminder")
    made = chair.post(
        f"/api/v1/compounds/{CODE}/role-invites", {"role": "liaison", "unit": "2-1"}
    ).get_json()
    successor.redeem(made["code"])
    preview = chair.get(f"/api/v1/compounds/{CODE}/handovers/preview?unit=2-1")
    assert preview.status_code == 200, preview.get_json()
    handed = chair.post(
        f"/api/v1/compounds/{CODE}/handovers",
        {"unit": "2-1", "to_user_id": successor.id, "from_user_id": liaison.id},
    )
    assert handed.status_code == 201, handed.get_json()
    record = handed.get_json()
    assert (record["issues"], record["return_visits"]) == ([open_id], [visit_id])
    db.session.expire_all()
    assert db.session.get(Issue, open_id).handler_id == successor.id
    assert db.session.get(ReturnVisit, visit_id).assignee_id == successor.id
    db.session.commit()
    assert "liaison" not in {r["role"] for r in liaison.get("/api/v1/me").get_json()["roles"]}
    assert liaison.get(f"/api/v1/issues/{open_id}").status_code == 404
    assert successor.get(f"/api/v1/issues/{open_id}").get_json()["status"] == "accepted"
    (told,) = successor.get("/api/v1/me/notifications").get_json()["items"]
    assert told["title"] == "您已接任2号楼1单元联络人"
    assert told["body"].startswith("您已接任2号楼1单元联络人：在办事项 1 件，待上门回访 1 次")
    dispatch(app)
    assert len(sandbox.messages(touser=successor.openid)) == 1  # and pushed
    # A week on, the visit falls due: it is on the successor's list, not the old one's.
    with freeze_time(timedelta(days=7, minutes=1), tick=True):
        with app.app_context():
            assert return_visits.send_due() == 1
        successor = Person(client, successor.openid)  # yesterday's token has expired
        tasks = successor.get("/api/v1/me/tasks").get_json()["items"]
        assert [(t["visit_id"], t["issue_id"]) for t in tasks] == [(visit_id, care)]
        gone = Person(client, liaison.openid).get("/api/v1/me/tasks")
        assert gone.status_code in (200, 403), gone.get_json()
        assert gone.get_json().get("items", []) == []

    # The audit log tells all of it, to the committee and the supervisor.
    lines = chair.get(f"/api/v1/compounds/{CODE}/audit-log").get_json()["items"]
    actions = {line["action"] for line in lines}
    assert {"compound_opened", "invite_created", "appointed", "roster_imported", "handover"} <= (
        actions
    )

    # Another compound's committee can do none of this to it.
    other = build_world("bb")
    outsider = other.headers("committee")
    stranger_id = other.people["liaison_1_1"].id
    db.session.commit()
    for method, url, body in (
        ("post", f"/api/v1/compounds/{CODE}/role-invites", {"role": "committee"}),
        ("get", f"/api/v1/compounds/{CODE}/people", None),
        ("get", f"/api/v1/compounds/{CODE}/overview", None),
        ("get", f"/api/v1/compounds/{CODE}/roster/template.xlsx", None),
        ("post", f"/api/v1/compounds/{CODE}/roster?dry_run=true", None),
        ("get", f"/api/v1/compounds/{CODE}/handovers/preview?unit=2-1", None),
        (
            "post",
            f"/api/v1/compounds/{CODE}/handovers",
            {"unit": "2-1", "to_user_id": stranger_id},
        ),
        ("get", f"/api/v1/compounds/{CODE}/audit-log", None),
    ):
        answer = getattr(client, method)(url, json=body, headers=outsider)
        assert (answer.status_code, answer.get_json()["code"]) == (404, "compound_not_found"), url
