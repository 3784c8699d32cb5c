"""AIHF_AUTH and the JWT settings: only an explicit off disables auth; bad JWT settings refuse to start."""

from __future__ import annotations

from pathlib import Path

import pytest

from lake.settings import Settings

NO_DOTENV = Path("/nonexistent/.env")


def settings(**env: str) -> Settings:
    return Settings.from_env(env=env, dotenv=NO_DOTENV)


def test_only_an_explicit_off_turns_auth_off() -> None:
    assert settings().auth is True  # the default
    for on in ("on", "ON", "true", "1", " on "):
        assert settings(AIHF_AUTH=on).auth is True
    for off in ("off", "OFF", "false", "0"):
        assert settings(AIHF_AUTH=off).auth is False
    # empty (e.g. `AIHF_AUTH=` in .env) used to mean off; now it, and anything unclear, refuses to start
    for unclear in ("", "  ", "no", "yes", "disabled", "of"):
        with pytest.raises(ValueError, match=f"AIHF_AUTH must be on or off .*not {unclear!r}"):
            settings(AIHF_AUTH=unclear)


def test_empty_switch_in_dotenv_refuses(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("AIHF_AUTH=\n")
    with pytest.raises(ValueError, match="AIHF_AUTH must be on or off"):
        Settings.from_env(env={}, dotenv=dotenv)


def test_jwt_defaults_and_refusals(tmp_path: Path) -> None:
    default = settings()
    assert (default.jwt_algorithm, default.jwt_private_key, default.jwt_secret) == ("RS256", "", "")
    assert (default.jwt_access_ttl_s, default.jwt_refresh_ttl_s) == (3600, 7 * 24 * 3600)
    hs = settings(JWT_ALGORITHM="hs256", JWT_SECRET="x" * 32)
    assert (hs.jwt_algorithm, hs.jwt_secret) == ("HS256", "x" * 32)
    with pytest.raises(ValueError, match="JWT_SECRET is 31 bytes; HS256 needs at least 32"):
        settings(JWT_ALGORITHM="HS256", JWT_SECRET="x" * 31)
    with pytest.raises(ValueError, match="JWT_SECRET is set but JWT_ALGORITHM is RS256"):
        settings(JWT_SECRET="x" * 40)
    with pytest.raises(ValueError, match="JWT_PRIVATE_KEY/JWT_PUBLIC_KEY are set but JWT_ALGORITHM is HS256"):
        settings(JWT_ALGORITHM="HS256", JWT_PRIVATE_KEY="key.pem")
    with pytest.raises(ValueError, match="JWT_ALGORITHM must be HS256 or RS256, not 'NONE'"):
        settings(JWT_ALGORITHM="none")
    with pytest.raises(ValueError, match="JWT_REFRESH_TTL_S must be a positive number of seconds"):
        settings(JWT_REFRESH_TTL_S="0")
    rs = settings(JWT_PRIVATE_KEY="infra/jwt/private.pem")
    assert rs.jwt_private_key.endswith("/infra/jwt/private.pem") and Path(rs.jwt_private_key).is_absolute()
