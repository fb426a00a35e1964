"""The bench runner's choice of lines (`--only`) and its per-compound lines
(scripts/bench/per_compound.py): which compounds, what each request reads, and the
worst of each group in the table, on three small compounds."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

import pytest

from scripts.bench import district_ops, per_compound, run
from server.services.issues import reports
from server.services.people.access import load_principal
from tests.factories import build_world
from tests.timing import month


@pytest.fixture
def compounds(db_session):
    """aa with 3 issues, cc with 2, bb with 1 (each reported by its resident)."""
    worlds = {code: build_world(code) for code in ("aa", "bb", "cc")}
    for code, count in (("aa", 3), ("bb", 1), ("cc", 2)):
        world = worlds[code]
        principal = load_principal(world.people["resident_1_1"].id)
        for i in range(count):
            new = reports.NewIssue(
                "repair", f"楼道灯不亮{i}", "三楼", household_id=world.household("1-1-101").id
            )
            reports.report(principal, new)
    return worlds


def test_only_picks_endpoints_and_per_compound_lines_by_name():
    assert run.chosen(None) == (list(run.ENDPOINTS), list(per_compound.NAMES))
    assert run.chosen(["monthly stats", "my bills"]) == (["my bills"], ["monthly stats"])
    assert run.chosen([per_compound.LIST]) == ([], [per_compound.LIST])


def test_only_refuses_a_name_it_does_not_know(capsys):
    with pytest.raises(SystemExit) as refused:
        run.main(["--database-url", "sqlite://", "--only", "committee list"])
    assert refused.value.code == 2
    assert "invalid choice: 'committee list'" in capsys.readouterr().err


def test_the_groups_are_the_biggest_first_and_the_smallest_first():
    sizes = [("e", 1), ("d", 2), ("c", 3), ("b", 4), ("a", 5)]
    assert per_compound.pick_groups(sizes, 2) == {
        "2 biggest": [("a", 5), ("b", 4)],
        "2 smallest": [("e", 1), ("d", 2)],
    }


def test_each_compound_is_asked_by_its_committee_and_counted(app, compounds):
    assert per_compound.compound_sizes() == [("bb", 1), ("cc", 2), ("aa", 3)]
    this_month = month(0)
    names = (per_compound.LIST, per_compound.STATS)
    sweeps = per_compound.build_sweeps(app, names, month=this_month, size=2)
    assert [s.name for s in sweeps] == list(names)
    listing, stats = sweeps
    assert {group: [c.code for c in cases] for group, cases in listing.groups.items()} == {
        "2 biggest": ["aa", "cc"],
        "2 smallest": ["bb", "cc"],
    }
    assert stats.groups["2 biggest"][0].path == (
        f"/api/v1/issues/stats?compound=aa&month={this_month}"
    )
    client = app.test_client()
    for case in listing.groups["2 biggest"]:
        reply = client.get(case.path, headers={"Authorization": case.auth})
        assert len(reply.get_json()["items"]) == case.issues
    send = per_compound.in_process(app)
    for sweep in sweeps:
        per_compound.run_sweep(app, sweep, send, warmup=1, runs=3)
    mysql = db_kind(app) != "sqlite"
    # sign-in and the compound, then the list's page with its latest entries and its
    # photo counts; the figures' three
    statements = {per_compound.LIST: 4, per_compound.STATS: 5}
    for sweep in sweeps:
        for measured in [m for results in sweep.results.values() for m in results]:
            assert len(measured.ms) == 3
            assert measured.sql == statements[sweep.name]
            assert (measured.rows_read is not None) == mysql
            if mysql:
                assert 0 < measured.rows_read < 100
    slowest, most = per_compound.worst(listing.results["2 smallest"])
    assert slowest.p50 == max(m.p50 for m in listing.results["2 smallest"])
    assert (most is not None) == mysql

    table = run.render([], sweeps, (None, None), {}, arguments(), "SQLite", datetime.now(UTC))
    assert "Baseline" not in table
    rows = [row for row in table.splitlines() if row.startswith(f"| {per_compound.LIST} |")]
    assert [row.split(" | ")[1] for row in rows] == ["2 biggest", "2 smallest"]
    slowest = per_compound.worst(listing.results["2 biggest"])[0]
    assert f"| {slowest.case.code} ({slowest.case.issues:,}) | {slowest.p50:.1f} |" in rows[0]


def test_every_committee_line_answers_each_compound_and_is_counted(app, compounds):
    sweeps = per_compound.build_sweeps(app, month=month(0), size=2)
    assert [s.name for s in sweeps] == list(per_compound.NAMES)
    for sweep in sweeps:
        for case in sweep.groups["2 biggest"]:
            measured = per_compound.count_reads(app, case)  # a 200, or it stops
            assert 0 < measured.sql <= 10  # the people list writes its access log


def test_the_district_lines_are_chosen_by_name_and_skip_batch():
    assert run.LINES[-4:] == district_ops.NAMES
    assert district_ops.chosen(None) == list(district_ops.NAMES)
    assert district_ops.chosen(None, skip_batch=True) == [
        district_ops.LEDGER,
        district_ops.REGISTER,
    ]
    assert district_ops.chosen(["register export", "my bills"]) == [district_ops.REGISTER]


def test_the_register_export_line_reads_the_biggest_compound(app, compounds):
    result = district_ops.register_export(app)
    assert result.name == district_ops.REGISTER
    assert result.note.startswith("aa (3 issues)")
    assert result.statements > 0
    assert "peak traced memory" in district_ops.render([result])[3]


def db_kind(app) -> str:
    from server.extensions import db

    with app.app_context():
        return db.engine.dialect.name


def test_each_endpoint_is_a_ratio_to_its_floors_with_the_spread_and_its_targets():
    def run_of(*rates):
        return {"rps": sorted(rates)[len(rates) // 2], "rates": list(rates), "errors": 0}

    def results(real, same, lean, sql, p99_ms=20.0, stale=()):
        real, same, lean = run_of(*real), run_of(*same), run_of(*lean)
        return {
            "sat": {**real, "min": min(real["rates"]), "max": max(real["rates"])},
            "floor": same,
            "lean": lean,
            "floor_ratio": run.ratios(real, same),
            "lean_ratio": run.ratios(real, lean),
            "sql": sql,
            "round_trips": sql + 3,
            "lean_round_trips": sql + 1,
            "lat": {"p50_us": 5000, "p99_us": p99_ms * 1000, "rps": 60, "errors": 0, "share": 0.6},
            "wrapped": False,
            "stale": list(stale),
        }

    bills = run.Endpoint("my bills", [])
    bills.results = results((80, 100, 90), (100, 125, 100), (160, 200, 180), sql=3)
    detail = run.Endpoint("issue detail", [])
    detail.results = results((40, 50, 45), (100, 100, 100), (100, 100, 100), sql=6)
    notify = run.Endpoint("payment notify", [])
    notify.results = results((70,), (100,), (300,), sql=9, stale=["payment notify: changed"])
    committee = run.Endpoint("committee filtered list", [])
    committee.results = results((50,), (50,), (50,), sql=4, p99_ms=120)
    hello = {"rps": 1000}
    table = run.render(
        [bills, detail, notify, committee],
        [],
        (hello, hello),
        {},
        arguments(),
        "MariaDB",
        datetime.now(UTC),
    )
    rows = {row.split(" | ")[0][2:]: row.split(" | ") for row in table.splitlines() if "|" in row}
    # real ÷ floor per interleaved pair: 0.8, 0.8, 0.9 -> median 0.8, spread 0.80–0.90
    assert rows["my bills"][2:6] == ["0.80 (0.80–0.90)", "0.50 (0.50–0.50)", "0.09", "100 / 180"]
    assert rows["my bills"][6] == "3 (6 / 4)"
    assert rows["my bills"][-2:] == ["≥0.7× floor, ≥0.5× lean, ≤5 SQL", "met |"]
    assert rows["issue detail"][-1] == "missed: ×floor 0.45, ×lean 0.45, 6 SQL |"
    assert rows["payment notify"][-2:] == ["≥0.7× floor, p99 ≤100 ms", "missed: floor stale |"]
    assert rows["committee filtered list"][-1] == "missed: p99 120 ms |"
    assert "**The floor no longer matches the app**" in table
    assert "- payment notify: changed" in table
    assert "gthread, 2 workers × 4 threads" in table


def test_the_bench_runs_everything_under_the_deploy_gunicorn_set_up():
    setup = run.gunicorn_setup(argparse.Namespace(workers=0, threads=0))
    assert setup == {"worker_class": "gthread", "workers": 2, "threads": 4}
    assert run.gunicorn_setup(argparse.Namespace(workers=3, threads=0))["workers"] == 3


def test_a_profile_counts_the_workers_samples_by_innermost_frame(tmp_path):
    raw = tmp_path / "profile.txt"
    handling = "run (gunicorn/workers/gthread.py:1);handle_request (gunicorn/workers/gthread.py:2)"
    raw.write_text(
        f"{handling};execute (pymysql/cursors.py:3) 3\n"
        f"{handling};replay (scripts/bench/floor.py:4) 1\n"
        "run (gunicorn/arbiter.py:1);sleep (gunicorn/arbiter.py:5) 40\n"
    )
    assert run.buckets(raw) == (
        [("database driver (PyMySQL)", 0.75), ("the floor's own code", 0.25)],
        4,
    )


def arguments() -> argparse.Namespace:
    return argparse.Namespace(workers=2, threads=4, runs=5, seconds=5, warmup=3, share=0.6)
