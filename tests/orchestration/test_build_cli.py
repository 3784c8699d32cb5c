"""`make lake` (python -m orchestration.build): builds once, then knows when nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lake.settings import Settings
from lake.storage import Lake
from orchestration import build


def test_build_records_state_and_a_rebuild_with_no_change_is_a_no_op(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    mirror = tmp_path / "shared" / "edgar"
    real = Settings.from_env().edgar_mirror
    for path in real.rglob("*"):
        if path.is_file():
            (mirror / path.relative_to(real)).parent.mkdir(parents=True, exist_ok=True)
            (mirror / path.relative_to(real)).symlink_to(path)
    monkeypatch.setenv("AIHF_SHARED_DIR", str(tmp_path / "shared"))
    monkeypatch.setenv("LAKE_URI", str(tmp_path / "lakehouse"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("EDGAR_SOURCE", "offline")

    assert build.main(["--quarters", "2023Q4:2023Q4"]) == 0
    out = capsys.readouterr().out
    assert "lake build succeeded" in out
    assert "silver/filings                      4 rows" in out
    state = json.loads(Lake(str(tmp_path / "lakehouse")).read_state("build.json") or b"{}")
    assert state["quarters"] == "2023Q4:2023Q4" and len(state["fingerprint"]) == 64
    assert (tmp_path / "dagster_home" / "dagster.yaml").is_file()

    assert build.main(["--quarters", "2023Q4:2023Q4"]) == 0
    assert "lake is up to date" in capsys.readouterr().out

    # a changed source file makes the next build run again
    index = mirror / "index" / "form.20200318.idx"
    index.unlink()
    index.write_bytes((real / "index" / "form.20200318.idx").read_bytes())
    assert build.main(["--quarters", "2023Q4:2023Q4"]) == 0
    assert "lake build succeeded" in capsys.readouterr().out


def test_quarter_range_outside_the_partitions_is_refused() -> None:
    with pytest.raises(SystemExit, match="outside the filing quarters"):
        build.main(["--quarters", "1990Q1:1991Q4"])
