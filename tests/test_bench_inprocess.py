"""scripts/bench/inprocess.py: the resident's hot reads driven in-process, CPU ms per
request for each, and the profile's split by component."""

from __future__ import annotations

import json

import pytest

from scripts.bench import inprocess
from server.extensions import db
from server.services.money import fees
from tests.factories import build_world, make_issue, self_governance_fee


@pytest.fixture
def reported(committed_db) -> int:
    world = build_world("ip")
    self_governance_fee(world.compound)
    db.session.flush()
    fees.generate_bills("2026-11", "ip")
    issue_id = make_issue(*world.reporter()).id
    db.session.commit()
    return issue_id


def test_it_measures_the_three_reads_of_a_resident(reported, database_url, tmp_path, capsys):
    out = tmp_path / "figures.json"
    argv = ["--database-url", database_url, "-n", "3", "--rounds", "2", "--residents", "1"]
    assert inprocess.main([*argv, "--seed", str(reported), "--json", str(out)]) == 0
    figures = json.loads(out.read_text())
    assert set(figures) == {"my bills", "issue list", "issue detail"}
    for read in figures.values():
        assert len(read["rounds"]) == 2
        assert 0 < read["min"] <= read["median"] <= read["max"]
    assert "CPU ms per request, 2 rounds x 3 requests" in capsys.readouterr().out


def test_the_profile_names_its_components():
    assert inprocess.component("/x/site-packages/sqlalchemy/engine/base.py") == "SQLAlchemy"
    assert inprocess.component("/x/site-packages/werkzeug/test.py").startswith("the test client")
    assert inprocess.component("/work/server/api/bills.py") == "Linli code"
    assert inprocess.component("<built-in method time>") == "other (stdlib, C)"
