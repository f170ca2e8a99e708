"""Production settings pass Django's deployment checks, and `serve` refuses debug mode."""

import base64
import hashlib
import io
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from django.test import Client

from tests.accounts.factories import PASSWORD, UserFactory

MANAGE = Path(__file__).resolve().parents[2] / "manage.py"


def _check_deploy(tmp_path: Path, **environment: str) -> subprocess.CompletedProcess:
    """Run `manage.py check --deploy` as production would, in a process of its own."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "ROGATORY_SECRET_KEY": secrets.token_urlsafe(50),
        "ROGATORY_ALLOWED_HOSTS": "rogatory.example.org",
        "ROGATORY_DATABASE_URL": f"sqlite:///{tmp_path / 'rogatory.sqlite3'}",
        **environment,
    }
    return subprocess.run(
        [sys.executable, str(MANAGE), "check", "--deploy", "--fail-level", "WARNING"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checks_without_a_warning(tmp_path):
    result = _check_deploy(tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_debug_mode_fails_the_deployment_checks(tmp_path):
    result = _check_deploy(tmp_path, ROGATORY_DEBUG="true")

    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr


def test_a_weak_secret_key_fails_the_deployment_checks(tmp_path):
    result = _check_deploy(tmp_path, ROGATORY_SECRET_KEY="short")

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_serve_refuses_debug_mode(settings):
    settings.DEBUG = True
    settings.SECRET_KEY = "a-real-key-from-the-environment-" + "x" * 30

    with pytest.raises(CommandError, match="ROGATORY_DEBUG is on"):
        call_command("serve", stdout=io.StringIO())


def test_serve_logs_access_without_query_strings(settings, monkeypatch):
    settings.DEBUG = False
    settings.SECRET_KEY = "a-real-key-from-the-environment-" + "x" * 30
    started = []
    monkeypatch.setattr("os.execv", lambda program, argv: started.append(argv))

    call_command("serve", stdout=io.StringIO())

    (argv,) = started
    assert argv[argv.index("--logger-class") + 1] == "rogatory.core.logging.AccessLogger"


@pytest.mark.django_db
def test_every_response_carries_the_security_headers(settings):
    settings.SECURE_SSL_REDIRECT = True
    response = Client().get("/login/", secure=True)

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, _, sources = part.strip().partition(" ")
        directives[name] = sources
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"].split()[0] == "'self'"
    assert "unsafe" not in policy
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["form-action"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    csrf = response.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["secure"] and csrf["samesite"] == "Lax"


@pytest.mark.django_db
def test_the_session_cookie_is_secure_httponly_and_same_site(settings):
    user = UserFactory()
    response = Client().post(
        "/login/", {"username": user.username, "password": PASSWORD}, secure=True
    )

    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["secure"] and session["samesite"] == "Lax"


@pytest.mark.parametrize("template", ["500.html", "web/503.html"])
def test_the_error_pages_own_style_is_the_only_inline_style_allowed(settings, template):
    page = render_to_string(template)
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    sources = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]
    assert f"'sha256-{digest}'" in sources
    assert all(source == "'self'" or source.startswith("'sha256-") for source in sources)
