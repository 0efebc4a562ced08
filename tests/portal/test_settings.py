"""Settings from PORTAL_* variables: the embedded default and the production mode."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "k" * 20 + "Q9s!x@Lm#4pZ%vR2^tY7&uW1*eB6(oN3)jH8_gF5" + "z" * 10


def _manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def _production_env(**overrides: str) -> dict:
    env = {
        "PORTAL_MODE": "production",
        "PORTAL_SECRET_KEY": GOOD_KEY,
        "PORTAL_DATABASE_URL": os.environ.get(
            "PORTAL_DATABASE_URL", "postgres://portal:portal@127.0.0.1:25432/portal"
        ),
        "PORTAL_BROKER_URL": "redis://127.0.0.1:26379/0",
        "PORTAL_ELASTICSEARCH_URL": "http://127.0.0.1:29200",
        "PORTAL_ALLOWED_HOSTS": "data.example.org",
        "PORTAL_BASE_URL": "https://data.example.org",
    }
    env.update(overrides)
    return env


def test_embedded_mode_needs_no_environment(tmp_path):
    result = _manage(
        "diffsettings", "--all",
        env={"PORTAL_STORAGE_ROOT": str(tmp_path)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "django.db.backends.sqlite3" in out and "portal.sqlite3" in out
    assert "SEARCH_BACKEND = 'database'" in out
    assert "CELERY_TASK_ALWAYS_EAGER = True" in out
    assert "console.EmailBackend" in out


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"PORTAL_DEBUG": "true"}, "PORTAL_DEBUG must be off"),
        ({"PORTAL_SECRET_KEY": ""}, "PORTAL_SECRET_KEY"),
        ({"PORTAL_DATABASE_URL": "sqlite:////tmp/x.sqlite3"}, "not SQLite"),
        ({"PORTAL_BROKER_URL": ""}, "PORTAL_BROKER_URL"),
    ],
)
def test_production_refuses_unsafe_configuration(override, complaint):
    env = _production_env(**override)
    if override.get("PORTAL_SECRET_KEY") == "":
        env.pop("PORTAL_SECRET_KEY")
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "refuses to start" in result.stderr and complaint in result.stderr


@pytest.mark.postgres
def test_production_check_deploy_is_clean():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_oidc_groups_claim_parsing():
    from portal.oidc import groups_from_claims

    assert groups_from_claims({"groups": ["/p-123", "p-456", " "]}, "groups") == ["p-123", "p-456"]
    assert groups_from_claims({"roles": "a, b c"}, "roles") == ["a", "b", "c"]
    assert groups_from_claims({}, "groups") == []


def test_oidc_login_is_wired_only_when_configured():
    probe = (
        "from django.conf import settings\n"
        "print(settings.AUTHENTICATION_BACKENDS[1]); print(settings.OIDC_USE_PKCE)\n"
        "print(settings.OIDC_RP_SIGN_ALGO)"
    )
    oidc = {
        "PORTAL_OIDC_RP_CLIENT_ID": "portal",
        "PORTAL_OIDC_RP_CLIENT_SECRET": "s3cret",
        "PORTAL_OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example.org/auth",
        "PORTAL_OIDC_OP_TOKEN_ENDPOINT": "https://idp.example.org/token",
        "PORTAL_OIDC_OP_USER_ENDPOINT": "https://idp.example.org/userinfo",
        "PORTAL_OIDC_OP_JWKS_ENDPOINT": "https://idp.example.org/certs",
    }
    on = _manage("shell", "-c", probe, env=oidc)
    assert on.returncode == 0, on.stderr
    assert on.stdout.split()[-3:] == ["portal.oidc.PortalOIDCBackend", "True", "RS256"]
    probe_off = (
        "from django.test import Client; print(Client().get('/oidc/authenticate/').status_code)"
    )
    off = _manage("shell", "-c", probe_off, env={})
    assert off.returncode == 0 and "Not Found: /oidc/authenticate/" in off.stderr, off.stderr


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"PORTAL_OIDC_OP_JWKS_ENDPOINT": ""}, "PORTAL_OIDC_OP_JWKS_ENDPOINT must be set"),
        ({"PORTAL_OIDC_RP_SIGN_ALGO": "HS256"}, "asymmetric algorithm"),
    ],
)
def test_oidc_refuses_to_start_without_key_checks(override, complaint):
    env = {
        "PORTAL_OIDC_RP_CLIENT_ID": "portal",
        "PORTAL_OIDC_RP_CLIENT_SECRET": "s3cret",
        "PORTAL_OIDC_OP_AUTHORIZATION_ENDPOINT": "https://idp.example.org/auth",
        "PORTAL_OIDC_OP_TOKEN_ENDPOINT": "https://idp.example.org/token",
        "PORTAL_OIDC_OP_USER_ENDPOINT": "https://idp.example.org/userinfo",
        "PORTAL_OIDC_OP_JWKS_ENDPOINT": "https://idp.example.org/certs",
        **override,
    }
    result = _manage("check", env=env)
    assert result.returncode != 0 and complaint in result.stderr
