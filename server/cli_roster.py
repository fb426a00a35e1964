"""`flask --app server roster …`: the operator loads a compound's roster of flats or
writes its template. Acts as the platform (no person): a changed area or vacancy of an
existing flat needs the committee's two people, so such a file is refused whole."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from server.errors import AppError
from server.extensions import db
from server.labels import label
from server.services.governance import roster, roster_files
from server.services.governance.roster_template import template


@click.group("roster")
def roster_group():
    """Roster of flats (房屋名册): import a file, write the template."""


@roster_group.command("import")
@click.argument("code")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="only check the file and print the report")
@with_appcontext
def import_file(code, file: Path, dry_run: bool):
    """Load FILE (.xlsx or .csv) as the roster of compound CODE; exit 1 on problems."""
    data = file.read_bytes()
    total = roster_files.estimate_rows(data) if len(data) <= roster_files.MAX_BYTES else 0
    try:
        with click.progressbar(length=total or 1, label="读取名册", file=sys.stderr) as bar:
            result = roster.import_roster(
                None, code, data, file.name, dry_run=dry_run, progress=bar.update
            )
    except AppError as error:
        db.session.rollback()
        if "report" in error.extra:
            _print_report(error.extra["report"])
        raise click.ClickException(error.message) from None
    _print_report(result)
    if result["problems"]:
        raise SystemExit(1)
    if result["applied"]:
        click.echo(f"已导入（第 {result['import_id']} 次导入）")
    else:
        click.echo("检查完毕，没有问题（未导入：去掉 --dry-run 即可导入）")


@roster_group.command("template")
@click.argument("code")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def write_template(code, out: Path):
    """Write the roster template of compound CODE (filled with its flats) to OUT."""
    try:
        data, _name = template(None, code)
    except AppError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    out.write_bytes(data)
    click.echo(f"模板已写入 {out}")


def _print_report(report: dict) -> None:
    flats = report["households"]
    click.echo(
        f"共 {report['rows']} 行：新建 {report['buildings']['create']} 栋楼、"
        f"{report['units']['create']} 个单元、{flats['create']} 户；"
        f"更新 {flats['update']} 户，未变 {flats['unchanged']} 户"
    )
    for change in report["changes"]:
        click.echo(f"  变更 {change['label']}：{_change_words(change)}")
    if report["missing"]:
        click.echo(f"名册里没有写到的已有房屋 {len(report['missing'])} 户（保留，不删除）：")
        for flat in report["missing"]:
            extra = "，有账单" if flat["has_bills"] else ""
            extra += "，有住户绑定" if flat["has_people"] else ""
            click.echo(f"  {flat['label']}{extra}")
    if report["problems"]:
        click.echo(f"发现 {len(report['problems'])} 处问题：")
        for problem in report["problems"]:
            click.echo(f"  第 {problem['row']} 行 {problem['column']}：{problem['message']}")


def _change_words(change: dict) -> str:
    words = []
    if change["old_area_m2"] != change["new_area_m2"]:
        words.append(f"面积 {change['old_area_m2']} → {change['new_area_m2']} m²")
    if change["old_occupancy"] != change["new_occupancy"]:
        old, new = (label("occupancy", change[k]) for k in ("old_occupancy", "new_occupancy"))
        words.append(f"{old} → {new}")
    if change["old_tenure"] != change["new_tenure"]:
        words.append("自住/出租 " + label("tenure", change["new_tenure"], "未填"))
    if change["old_floor"] != change["new_floor"]:
        words.append(f"楼层 {change['old_floor']} → {change['new_floor']}")
    if change["old_note"] != change["new_note"]:
        words.append("备注已改")
    if change.get("old_owner_key") != change.get("new_owner_key"):
        words.append("产权人编号已改")
    if change["needs_confirmation"]:
        words.append("（须业委会两人确认）")
    return "，".join(words)
