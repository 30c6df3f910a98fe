"""Production is the safe default; embedded mode must be asked for."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_check(env_overrides, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("APTIC_", "DJANGO_", "DATABASE_URL"))}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_check({})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required in production" in result.stderr


def test_production_passes_the_deployment_checklist(tmp_path):
    result = run_check(
        {
            "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-0123456789",
            "DJANGO_ALLOWED_HOSTS": "aptic.example",
            "APTIC_SITE_URL": "https://aptic.example",
            "DATABASE_URL": "sqlite:///:memory:",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "APTIC_LEGAL_NAME": "Aptic",
            "APTIC_LEGAL_SIRET": "73282932000074",
            "APTIC_LEGAL_IBAN": "FR7630006000011234567890189",
            "APTIC_SEPA_DEBTOR_IBAN": "FR7630006000011234567890189",
            "APTIC_VAR_DIR": str(tmp_path),
        },
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_needs_allowed_hosts_and_site_url():
    result = run_check({"DJANGO_SECRET_KEY": "k" * 50, "DATABASE_URL": "sqlite:///:memory:"})
    assert result.returncode != 0 and "DJANGO_ALLOWED_HOSTS is required" in result.stderr
    result = run_check(
        {"DJANGO_SECRET_KEY": "k" * 50, "DATABASE_URL": "sqlite:///:memory:", "DJANGO_ALLOWED_HOSTS": "a.fr"}
    )
    assert result.returncode != 0 and "APTIC_SITE_URL is required" in result.stderr


def test_production_needs_a_broker_for_background_work():
    env = {"DJANGO_SECRET_KEY": "k" * 50, "DATABASE_URL": "sqlite:///:memory:", "DJANGO_ALLOWED_HOSTS": "a.fr"}
    result = run_check({**env, "APTIC_SITE_URL": "https://a.fr", "REDIS_URL": "", "CELERY_BROKER_URL": ""})
    assert result.returncode != 0 and "REDIS_URL (or CELERY_BROKER_URL) is required" in result.stderr


def test_production_checklist_refuses_the_demonstration_identity(tmp_path):
    env = {
        "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-0123456789",
        "DJANGO_ALLOWED_HOSTS": "aptic.example",
        "APTIC_SITE_URL": "https://aptic.example",
        "DATABASE_URL": "sqlite:///:memory:",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "APTIC_VAR_DIR": str(tmp_path),
    }
    result = run_check(env, "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0 and "aptic.W001" in result.stderr + result.stdout


def test_unknown_mode_is_refused():
    result = run_check({"APTIC_ENV": "dev"})
    assert result.returncode != 0 and "APTIC_ENV must be" in result.stderr


def test_production_checklist_refuses_a_cache_its_processes_do_not_share(tmp_path):
    """Without REDIS_URL (jobs in a thread, so no broker needed), the cache is each process's memory."""
    env = {
        "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-0123456789",
        "DJANGO_ALLOWED_HOSTS": "aptic.example",
        "APTIC_SITE_URL": "https://aptic.example",
        "DATABASE_URL": "sqlite:///:memory:",
        "APTIC_JOBS_BACKEND": "thread",
        "APTIC_LEGAL_NAME": "Aptic",
        "APTIC_LEGAL_SIRET": "73282932000074",
        "APTIC_LEGAL_IBAN": "FR7630006000011234567890189",
        "APTIC_SEPA_DEBTOR_IBAN": "FR7630006000011234567890189",
        "APTIC_VAR_DIR": str(tmp_path),
    }
    result = run_check(env, "--deploy")
    assert result.returncode != 0 and "aptic.E001" in result.stderr + result.stdout
    assert "REDIS_URL" in result.stderr + result.stdout
    assert run_check({**env, "REDIS_URL": "redis://127.0.0.1:6379/0"}, "--deploy").returncode == 0
