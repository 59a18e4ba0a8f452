"""docs/operations.md "Your own estate", run as written: the real console script on an
empty data folder (SQLite), from ``estate add`` to an exported estate imported back."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.test_cli import cli_env, stewardsync
from tests.ledger_sample import sample_rows, workbook


def test_an_office_brings_its_estate_in_on_the_command_line(tmp_path: Path) -> None:
    env = cli_env(data_dir=str(tmp_path / "data"))
    assert stewardsync("db", "upgrade", env=env).returncode == 0
    refused_code = stewardsync("estate", "add", "绿 苑", "绿苑", env=env)  # it starts ticket numbers
    assert refused_code.returncode != 0 and "2 to 12 letters or digits" in refused_code.stderr
    added = stewardsync("estate", "add", "lyy", "绿苑", env=env)
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("LYY\t")
    template = tmp_path / "模板.xlsx"
    assert stewardsync("import", "template", str(template), env=env).returncode == 0
    assert template.read_bytes()[:2] == b"PK"

    rows = sample_rows(400)
    rows["业户"][5][10] = "2026-02-30"
    bad = tmp_path / "台账-有错.xlsx"
    bad.write_bytes(workbook(rows))
    refused = stewardsync("import", str(bad), "--estate", "LYY", "--json", env=env)
    assert refused.returncode == 1
    report = json.loads(refused.stdout)
    assert report["errors"] == [{"sheet": "业户", "row": 7, "column": "入住日期", "value": "2026-02-30",
                                 "reason": "不存在的日期"}]
    assert set(report["counts"]) == {"楼栋", "房屋", "业户", "员工", "账单", "表具"}

    good = tmp_path / "台账.xlsx"
    good.write_bytes(workbook(sample_rows(400)))
    dry = stewardsync("import", str(good), "--estate", "LYY", "--dry-run", "--json", env=env)
    assert dry.returncode == 0 and json.loads(dry.stdout)["counts"]["业户"] == {"new": 400, "changed": 0, "unchanged": 0}
    applied = stewardsync("import", str(good), env=env)  # the only estate: --estate may be left out
    assert applied.returncode == 0, applied.stderr
    assert "已导入：1205 行新增或修改" in applied.stdout  # 2 buildings, 400 units, households, bills, 3 staff
    again = json.loads(stewardsync("import", str(good), "--json", env=env).stdout)
    assert all(c["new"] == c["changed"] == 0 for c in again["counts"].values())

    exported = tmp_path / "绿苑.xlsx"
    assert stewardsync("export", "estate", str(exported), "--estate", "LYY", env=env).returncode == 0
    back = json.loads(stewardsync("import", str(exported), "--estate", "LYY", "--json", env=env).stdout)
    assert back["errors"] == [] and all(c["new"] == c["changed"] == 0 for c in back["counts"].values())
    assert back["counts"]["业户"]["unchanged"] == 400

    password = stewardsync("user", "password", "steward1", "--password-stdin", env=env, stdin="guanjia-2026\n")
    assert password.returncode == 0, password.stderr
    listed = stewardsync("estate", "list", env=env)
    assert listed.stdout.strip() == "LYY\t绿苑"
    assert stewardsync("import", str(good), "--estate", "NOPE", env=env).returncode == 1
