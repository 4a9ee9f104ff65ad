"""Settings as a deployment sees them: each check runs manage.py in a fresh process with its own environment."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

REPO_ROOT = Path(__file__).resolve().parent.parent
PROJECT_PREFIXES = ("DJANGO_", "DOSSIER_", "DATABASE_", "SEARCH_")


def last_line(text: str) -> str:
    # Django 5.2's shell first reports the objects it imported automatically.
    return text.strip().splitlines()[-1]


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Start from a clean slate: nothing the test run itself set may leak into the deploy.
    base = {k: v for k, v in os.environ.items() if not k.startswith(PROJECT_PREFIXES)}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    return {
        "DJANGO_HTTPS": "true",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "dossier.example.org",
        "DOSSIER_DATA_DIR": str(tmp_path),
    }


def test_production_settings_pass_the_deploy_check_without_warnings(production_env):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output and "security.W" not in output, output
    assert "System check identified no issues" in result.stdout


def test_production_without_a_secret_key_refuses_to_start(production_env):
    del production_env["DJANGO_SECRET_KEY"]
    result = manage("check", env=production_env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_with_an_empty_secret_key_refuses_to_start(production_env):
    production_env["DJANGO_SECRET_KEY"] = "  "
    result = manage("check", env=production_env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_debug_is_off_unless_asked_for(tmp_path):
    result = manage(
        "shell", "-c", "from django.conf import settings; print(settings.DEBUG)",
        env={"DOSSIER_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert last_line(result.stdout) == "False"


def test_a_mistyped_debug_flag_is_an_error_not_silently_on(tmp_path):
    result = manage("check", env={"DOSSIER_DATA_DIR": str(tmp_path), "DJANGO_DEBUG": "ture"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


def test_development_secret_key_is_generated_once_and_kept(tmp_path):
    command = ("shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)")
    first = manage(*command, env={"DOSSIER_DATA_DIR": str(tmp_path)})
    second = manage(*command, env={"DOSSIER_DATA_DIR": str(tmp_path)})
    assert first.returncode == 0, first.stderr
    key = last_line(first.stdout)
    assert len(key) >= 50
    assert last_line(second.stdout) == key
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_csrf_middleware_is_enabled():
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


@pytest.mark.django_db
def test_a_form_post_without_a_csrf_token_is_refused(django_user_model):
    django_user_model.objects.create_superuser(username="admin", email="", password="s3cret-enough")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "admin", "password": "s3cret-enough"})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("backend", ["file", "redis"])
def test_the_cache_is_shared_by_every_server_process(tmp_path, backend):
    """API throttle counts live in the cache: one process counts what another recorded."""
    env = {"DOSSIER_DATA_DIR": str(tmp_path), "DOSSIER_CACHE": backend,
           "DOSSIER_REDIS_URL": "redis://127.0.0.1:6379/15"}
    key = f"dossier-test:{secrets.token_hex(4)}"
    written = manage("shell", "-c", f"from django.core.cache import cache; cache.set('{key}', 41, 60)", env=env)
    assert written.returncode == 0, written.stderr
    read = manage("shell", "-c", f"from django.core.cache import cache; print(cache.incr('{key}'))", env=env)
    assert read.returncode == 0, read.stderr
    assert last_line(read.stdout) == "42"


def test_an_unknown_cache_is_refused(tmp_path):
    done = manage("check", env={"DOSSIER_DATA_DIR": str(tmp_path), "DOSSIER_CACHE": "memcached"})
    assert done.returncode != 0
    assert "DOSSIER_CACHE must be file, redis or memory" in done.stderr
