"""Knowing every household and looking after the vulnerable, end to end (issue 13's
"Done when"), over HTTP:

a liaison records an elderly neighbour living alone, with her phone, on the doorstep;
another unit's liaison, a resident of another flat and the finance supervisor see
neither her phone nor her tag, in the record or in any list or export; every permitted
view is in the access log, which the supervisor reads and she sees herself; her weekly
visit appears in the liaison's tasks, is missed, and goes to the building lead, then
the committee; a safety sweep's "needs action" becomes an issue pushed to the liaison;
a household that moved out is anonymised after the retention (not a day before); a
resident downloads their own household's data.
"""

from __future__ import annotations

import importlib
import io
from datetime import timedelta

import openpyxl
from freezegun import freeze_time
from sqlalchemy import select

from server.extensions import db
from server.jobs import JOBS
from server.models import CareVisit, HouseholdMember, Issue
from tests.factories import build_world
from tests.helpers import inbox
from tests.timing import shanghai_date, shanghai_day

PHONE = "13812345678"
MASKED = "138****5678"


def run_job(name: str):
    """Run a scheduled job as the scheduler would: by its declared name."""
    job = next(job for job in JOBS if job.name == name)
    module, func = job.func.split(":")
    return getattr(importlib.import_module(module), func)()


def sheet_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return " ".join(
        str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
    )


def test_a_census_a_sweep_and_care_visits_with_personal_data_kept_close(client, db_session):
    world = build_world("aa")
    build_world("bb")
    grace = world.compound.care_grace_days
    retention = world.compound.census_retention_days
    home = world.household_ids["1-1-101"]
    census = f"/api/v1/households/{home}/census"

    def get(who, path, **kwargs):
        return client.get(path, headers=world.fresh_headers(who), **kwargs)

    def post(who, path, body=None):
        return client.post(path, json=body or {}, headers=world.fresh_headers(who))

    with freeze_time(shanghai_day(0, "09:00"), tick=True):
        # On the doorstep: the liaison records her, with her consent, and tags her.
        member = {
            "name": "张桂英",
            "relation": "owner",
            "age_band": "80_plus",
            "phone": PHONE,
            "uses_wechat": False,
        }
        refused = post("liaison_1_1", f"/api/v1/households/{home}/members", member)
        assert (refused.status_code, refused.get_json()["code"]) == (400, "consent_required")
        added = post(
            "liaison_1_1", f"/api/v1/households/{home}/members", {**member, "consent": True}
        )
        assert added.status_code == 201, added.get_json()
        tagged = client.put(
            f"/api/v1/households/{home}/tags",
            json={"tags": ["elderly_alone"]},
            headers=world.fresh_headers("liaison_1_1"),
        )
        assert tagged.status_code == 200, tagged.get_json()
        assert post("liaison_1_1", f"/api/v1/households/{home}/confirm").status_code == 200

        # Nobody else sees her phone or her tag: not the record...
        for who in ("liaison_1_2", "resident_1_2", "supervisor"):
            response = get(who, census)
            assert response.status_code == 403, who
            assert PHONE not in response.get_data(as_text=True)
        assert get("outsider", census).status_code == 404
        # ...not in a list...
        listed = get("liaison_1_2", "/api/v1/compounds/aa/census/households?filter=all")
        assert listed.status_code == 200
        assert "1-1-101" not in {item["label"] for item in listed.get_json()["items"]}
        for who in ("resident_1_2", "supervisor"):
            assert get(who, "/api/v1/compounds/aa/census/households").status_code == 403
        # ...and not in an export, even with the sensitive fields asked for.
        export = get("liaison_1_2", "/api/v1/compounds/aa/census/export?include_sensitive=1")
        assert export.status_code == 200
        assert "张桂英" not in sheet_text(export.data)
        assert PHONE not in sheet_text(export.data)
        assert get("supervisor", "/api/v1/compounds/aa/census/export").status_code == 403

        # Those who may: the liaison and the committee see her number, the lead a mask.
        seen = {who: get(who, census).get_json() for who in ("liaison_1_1", "lead_1", "committee")}
        for who, record in seen.items():
            assert record["tags"] == ["elderly_alone"], who
            phone = record["members"][0]["phone"]
            assert phone == (MASKED if who == "lead_1" else PHONE), who
        # The committee's export masks her unless it chooses otherwise (and that is logged).
        masked = sheet_text(get("committee", "/api/v1/compounds/aa/census/export").data)
        assert "张桂英" in masked
        assert PHONE not in masked
        assert MASKED in masked

        # Each of those views is in the access log, which the committee reads (the
        # supervisor too, but not which flat's tags were read: that would tell them).
        log = get("committee", "/api/v1/compounds/aa/access-log")
        assert log.status_code == 200, log.get_json()
        supervised = get("supervisor", "/api/v1/compounds/aa/access-log").get_json()["items"]
        assert {i["household"] for i in supervised if i["action"] == "view_tags"} == {None}
        assert {i["household"] for i in supervised if i["action"] == "view_phone"} == {"1-1-101"}
        entries = {
            (item["actor"]["id"], item["action"])
            for item in log.get_json()["items"]
            if item["household"] == "1-1-101"
        }
        ids = world.user_ids
        assert {
            (ids["liaison_1_1"], "view_phone"),
            (ids["liaison_1_1"], "view_tags"),
            (ids["lead_1"], "view_tags"),
            (ids["committee"], "view_phone"),
            (ids["committee"], "view_tags"),
        } <= entries
        assert (ids["lead_1"], "view_phone") not in entries
        assert get("liaison_1_1", "/api/v1/compounds/aa/access-log").status_code == 403
        # The household itself sees who looked at its record.
        views = get("resident_1_1", f"/api/v1/me/household-views?household_id={home}")
        assert views.status_code == 200
        assert len(views.get_json()["items"]) >= 5

        # Her weekly visit is due today: in her liaison's tasks, nobody else's.
        tasks = get("liaison_1_1", "/api/v1/me/tasks").get_json()["items"]
        care = [t for t in tasks if t.get("kind") == "care_visit"]
        assert [t["household_id"] for t in care] == [home]
        other_tasks = get("liaison_1_2", "/api/v1/me/tasks").get_json()["items"]
        assert not [t for t in other_tasks if t.get("kind") == "care_visit"]
        lead_before, committee_before = len(inbox(ids["lead_1"])), len(inbox(ids["committee"]))

    # Missed: past the grace period the building lead is told, and has it in their tasks.
    with freeze_time(shanghai_day(grace + 1, "10:00"), tick=True):
        run_job("escalate_care_visits")
        assert len(inbox(ids["lead_1"])) == lead_before + 1
        assert len(inbox(ids["committee"])) == committee_before
        lead_tasks = get("lead_1", "/api/v1/me/tasks").get_json()["items"]
        assert home in {t.get("household_id") for t in lead_tasks}
        run_job("escalate_care_visits")
        assert len(inbox(ids["lead_1"])) == lead_before + 1  # once
    # Still missed another grace period later: the committee.
    with freeze_time(shanghai_day(2 * grace + 2, "10:00"), tick=True):
        run_job("escalate_care_visits")
        assert len(inbox(ids["committee"])) == committee_before + 1
        visit = db.session.scalars(select(CareVisit).where(CareVisit.household_id == home)).one()
        assert visit.escalation_level == 2
        # The liaison goes at last: recorded, and the next one is due in a week.
        recorded = post("liaison_1_1", f"/api/v1/visits/{visit.id}/record", {"how": "fair"})
        assert recorded.status_code == 200, recorded.get_json()
        following = db.session.scalars(
            select(CareVisit).where(CareVisit.household_id == home, CareVisit.status == "due")
        ).one()
        assert following.due_on == shanghai_date(2 * grace + 2) + timedelta(days=7)

        # A safety sweep: a finding that needs action (a committee member went round with
        # the liaison) is an issue in the request loop, pushed to the unit's liaison.
        started = post(
            "committee",
            "/api/v1/compounds/aa/campaigns",
            {
                "type": "safety",
                "title": "冬季消防安全排查",
                "checklist": ["楼道杂物", "电线私拉乱接", "燃气异味"],
                "scope": "compound",
                "due_on": shanghai_date(2 * grace + 9).isoformat(),
            },
        )
        assert started.status_code == 201, started.get_json()
        campaign = started.get_json()["id"]
        liaison_inbox = len(inbox(ids["liaison_1_1"]))
        found = post(
            "committee_2",
            f"/api/v1/campaigns/{campaign}/results",
            {
                "household_id": world.household_ids["1-1-102"],
                "items": [
                    {"item": "楼道杂物", "ok": False, "note": "纸箱堆到二楼"},
                    {"item": "电线私拉乱接", "ok": True},
                    {"item": "燃气异味", "ok": True},
                ],
                "needs_action": True,
            },
        )
        assert found.status_code == 201, found.get_json()
        issue = db.session.get(Issue, found.get_json()["issue_id"])
        assert (issue.category, issue.household_id) == ("hazard", world.household_ids["1-1-102"])
        assert issue.id in {n.issue_id for n in inbox(ids["liaison_1_1"])[liaison_inbox:]}
        progress = get("committee", f"/api/v1/campaigns/{campaign}").get_json()
        unit_1 = next(u for u in progress["units"] if u["unit"] == "1-1")
        assert (unit_1["visited"], unit_1["total"]) == (1, 3)

        # The resident downloads her household's data: her record in full.
        data = get("resident_1_1", f"/api/v1/me/household-data?household_id={home}")
        assert data.status_code == 200
        body = data.get_json()
        assert [m["phone"] for m in body["members"]] == [PHONE]
        assert "elderly_alone" in body["tags"]
        theirs = get("resident_1_2", f"/api/v1/me/household-data?household_id={home}")
        assert theirs.status_code == 403

        # A household moves out; its people are anonymised after the retention.
        gone = world.household_ids["1-2-201"]
        assert (
            post(
                "liaison_1_2",
                f"/api/v1/households/{gone}/members",
                {**member, "name": "刘志强", "consent": True},
            ).status_code
            == 201
        )
        assert post("committee", f"/api/v1/households/{gone}/move-out").status_code == 200
    moved_day = 2 * grace + 2
    with freeze_time(shanghai_day(moved_day + retention - 1, "12:00"), tick=True):
        run_job("anonymise_moved_out")
        assert _names(gone) == ["刘志强"]
    with freeze_time(shanghai_day(moved_day + retention + 1, "12:00"), tick=True):
        run_job("anonymise_moved_out")
        assert _names(gone) == [None]
        assert _names(home) == ["张桂英"]  # still living there: kept


def _names(household_id: int) -> list:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(HouseholdMember.name).where(HouseholdMember.household_id == household_id)
        )
    )
