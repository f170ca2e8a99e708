import subprocess
import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])


def _settings(env: dict[str, str], expression: str) -> str:
    """Evaluate `expression` on freshly imported settings under `env`."""
    code = f"import rogatory.settings as s; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": ROOT, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or result.stderr.strip().splitlines()[-1]


def test_database_url_selects_postgresql():
    engine = _settings(
        {"ROGATORY_DATABASE_URL": "postgres://u:p@db.example.org:5432/rogatory"},
        "s.DATABASES['default']['ENGINE'], s.DATABASES['default']['HOST']",
    )
    assert engine == "django.db.backends.postgresql db.example.org"


def test_postgresql_connections_turn_the_jit_compiler_off():
    options = _settings(
        {"ROGATORY_DATABASE_URL": "postgres://u:p@db.example.org:5432/rogatory"},
        "s.DATABASES['default']['OPTIONS']['options']",
    )
    assert options == "-c jit=off"


def test_postgresql_jit_setting_keeps_options_given_in_the_url():
    options = _settings(
        {
            "ROGATORY_DATABASE_URL": "postgres://u:p@db.example.org:5432/rogatory"
            "?options=-c%20statement_timeout%3D60000"
        },
        "s.DATABASES['default']['OPTIONS']['options']",
    )
    assert options == "-c statement_timeout=60000 -c jit=off"


def test_default_database_is_sqlite_in_working_folder(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import rogatory.settings as s; print(s.DATABASES['default']['NAME'])",
        ],
        env={"PYTHONPATH": ROOT},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == str(tmp_path / "rogatory.sqlite3")


def test_bad_debug_value_is_named():
    message = _settings({"ROGATORY_DEBUG": "maybe"}, "s.DEBUG")
    assert "ROGATORY_DEBUG must be true or false" in message


def test_production_settings_pass_check_deploy(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "rogatory.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            "PYTHONPATH": ROOT,
            "ROGATORY_SECRET_KEY": "k3y-" + "x7Qp9sLm2Vb8Nc4Rt6Wz1Ya5Hd3Jf0Gk" * 2,
            "ROGATORY_ALLOWED_HOSTS": "rogatory.example.org",
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
