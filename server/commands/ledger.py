"""The ledger on the command line: ``stewardsync import``, ``export estate`` and ``estate``.

    stewardsync estate add CODE NAME          a new estate (项目)
    stewardsync estate list                   each estate's code and name
    stewardsync import template PATH          the XLSX template to fill in
    stewardsync import PATH [--estate CODE] [--dry-run] [--json]
    stewardsync export estate PATH [--estate CODE]

``import`` previews, then applies unless ``--dry-run``; it exits 0 when applied or clean,
1 when it refused (the problems are printed, nothing is written).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from server.commands import CommandError, add_command, with_database
from server.ledger import service
from server.ledger.plan import Plan
from server.ledger.workbook import Unreadable
from server.settings import Settings

CLI_USER = "system"  # the author of an import made on the command line (change log, conflicts)


def register(subparsers: argparse._SubParsersAction) -> None:
    estate = add_command(subparsers, "estate", "estates (项目/管理处) in this deployment")
    actions = estate.add_subparsers(dest="estate_action", required=True, metavar="ACTION")
    listing = add_command(actions, "list", "each estate's code and name")
    listing.set_defaults(run=run_list)
    adding = add_command(actions, "add", "add an estate")
    adding.add_argument("code", help="the estate's code, e.g. JXHT")
    adding.add_argument("name", help="the estate's name, e.g. 锦绣华庭")
    adding.add_argument("--address", default="")
    adding.set_defaults(run=run_add)

    ledger = add_command(subparsers, "import", "import an estate's ledger (业户台账), or write its template",
                         usage="%(prog)s [template] PATH [--estate CODE] [--dry-run] [--json]")
    ledger.add_argument("paths", nargs="+", metavar="PATH", help="the XLSX or CSV to import; "
                        "`template PATH` writes the template")
    ledger.add_argument("--estate", metavar="CODE", help="the estate's code (needed when there are several)")
    ledger.add_argument("--dry-run", action="store_true", help="preview only: write nothing")
    ledger.add_argument("--json", action="store_true", help="print the preview as JSON")
    ledger.set_defaults(run=run_import)

    export = add_command(subparsers, "export", "export an estate in the ledger template")
    what = export.add_subparsers(dest="export_what", required=True, metavar="WHAT")
    estate_export = add_command(what, "estate", "the estate's buildings, units, households, staff and bills")
    estate_export.add_argument("path", metavar="PATH")
    estate_export.add_argument("--estate", metavar="CODE")
    estate_export.set_defaults(run=run_export)


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    for estate in with_database(settings, service.estates):
        print(f"{estate.code or '-'}\t{estate.name}")
    return 0


def run_add(args: argparse.Namespace, settings: Settings) -> int:
    code = args.code.strip().upper()
    if not service.ESTATE_CODE.fullmatch(code):
        raise CommandError(f"estate code {args.code!r}: 2 to 12 letters or digits, e.g. JXHT "
                           "(it starts the estate's ticket numbers, JXHT-000042)")

    async def add() -> service.Estate:
        if any(e.code == code for e in await service.estates()):
            raise CommandError(f"estate code {code} is taken")
        return await service.add_estate(code, args.name, args.address)

    estate = with_database(settings, add)
    print(f"{estate.code}\t{estate.name}")
    return 0


async def estate_id_of(code: str | None) -> str:
    """The estate a command names by its code (the only one when no code is given)."""
    known = await service.estates()
    if code is not None:
        for estate in known:
            if estate.code == code:
                return estate.id
        raise CommandError(f"no estate with code {code} (stewardsync estate list)")
    if len(known) == 1:
        return known[0].id
    if not known:
        raise CommandError("no estate yet: stewardsync estate add CODE NAME")
    raise CommandError("several estates: name one with --estate CODE (stewardsync estate list)")


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    paths = args.paths
    if paths[0] == "template":
        if len(paths) != 2:
            raise CommandError("usage: stewardsync import template PATH")
        Path(paths[1]).write_bytes(service.template())
        print(f"template written: {paths[1]}")
        return 0
    if len(paths) != 1:
        raise CommandError("import one file at a time")
    path = Path(paths[0])
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from None
    tz = ZoneInfo(settings.timezone)

    async def work() -> tuple[Plan, int | None]:
        estate_id = await estate_id_of(args.estate)
        if args.dry_run:
            return await service.preview(data, path.name, estate_id, tz=tz), None
        try:
            applied = await service.apply(data, path.name, estate_id, user_id=CLI_USER, tz=tz)
        except service.ImportFailed as failed:
            raise CommandError(f"import stopped, nothing written: {failed.reason}") from None
        return applied.plan, (None if applied.plan.errors else applied.conflicts)

    try:
        plan, conflicts = with_database(settings, work)
    except Unreadable as unreadable:
        raise CommandError(f"{path}: {unreadable.reason}") from None
    if args.json:
        print(json.dumps(plan.report(), ensure_ascii=False, indent=2))
    else:
        _print_plan(plan, applied=conflicts is not None, conflicts=conflicts or 0)
    return 1 if plan.errors else 0


def _print_plan(plan: Plan, *, applied: bool, conflicts: int) -> None:
    for sheet, counts in plan.counts.items():
        print(f"{sheet}: 新增 {counts.new}，修改 {counts.changed}，未变 {counts.unchanged}")
    for kind, problems in (("错误", plan.errors), ("提示", plan.warnings)):
        for p in problems:
            where = f"{p.sheet} 第{p.row}行" + (f" {p.column}" if p.column else "")
            value = f"“{p.value}”" if p.value else ""
            print(f"{kind}: {where} {value} {p.reason}".replace("  ", " "),
                  file=sys.stderr if kind == "错误" else sys.stdout)
    if plan.errors:
        print(f"导入被拒绝：{len(plan.errors)} 个错误，未写入任何数据", file=sys.stderr)
    elif applied:
        print(f"已导入：{plan.changes} 行新增或修改" + (f"，{conflicts} 处现场修改保留并记为冲突" if conflicts else ""))
    else:
        print("预览：未写入任何数据（去掉 --dry-run 以导入）")


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    tz = ZoneInfo(settings.timezone)

    async def work() -> bytes:
        return await service.export_estate(await estate_id_of(args.estate), tz=tz)

    data = with_database(settings, work)
    Path(args.path).write_bytes(data)
    print(f"estate written: {args.path}")
    return 0
