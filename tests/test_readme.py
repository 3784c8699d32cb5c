"""The README documents what the code does: its settings table is the settings object's, its commands exist."""

from __future__ import annotations

import re

from lake.settings import PROJECT_ROOT, SETTINGS, Settings, settings_table

README = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_settings_table_is_generated_from_the_settings_object() -> None:
    block = README.split("<!-- settings-table:start -->\n", 1)[1].split("<!-- settings-table:end -->", 1)[0]
    assert block.strip() == settings_table()


def test_readme_starts_with_demo_then_test() -> None:
    first_block = README.split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]


def test_every_make_target_in_the_readme_exists() -> None:
    makefile = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z-]+):", makefile, flags=re.M))
    documented = set(re.findall(r"`make ([a-z-]+)`", README))
    assert documented <= targets, documented - targets


def test_settings_defaults_resolve_against_the_project_root(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings.from_env(env={}, dotenv=tmp_path / ".env")
    assert settings.lake_uri == str(PROJECT_ROOT / "lakehouse")
    assert settings.shared_dir == str((PROJECT_ROOT / ".." / "shared").resolve())
    assert settings.edgar_source == "offline"
    assert len(SETTINGS) == len(settings.__struct_fields__)


def test_dotenv_is_read_and_environment_wins(tmp_path) -> None:  # type: ignore[no-untyped-def]
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        '# live mode\nEDGAR_SOURCE=live\nSEC_USER_AGENT="Jane Doe jane@example.com"\nSEC_MAX_RPS=5\n'
    )
    settings = Settings.from_env(env={"SEC_MAX_RPS": "8"}, dotenv=dotenv)
    assert (settings.edgar_source, settings.sec_user_agent, settings.sec_max_rps) == (
        "live",
        "Jane Doe jane@example.com",
        8.0,
    )


def test_bad_settings_name_the_variable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pytest

    with pytest.raises(ValueError, match="EDGAR_SOURCE must be 'offline' or 'live'"):
        Settings.from_env(env={"EDGAR_SOURCE": "online"}, dotenv=tmp_path / ".env")
    with pytest.raises(ValueError, match="SEC_MAX_RPS must be in"):
        Settings.from_env(env={"SEC_MAX_RPS": "50"}, dotenv=tmp_path / ".env")


def test_env_example_lists_every_setting_with_its_default() -> None:
    example = (PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    for spec in SETTINGS.values():
        assert f"# {spec.env}={spec.default}\n" in example
