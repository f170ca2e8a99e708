"""The cache and the session store that several servers share (ROGATORY_CACHE_URL, *_SESSION_STORE).

Each case imports the settings afresh in a subprocess, as a server started with that environment
would; the Redis cases talk to the Redis on 127.0.0.1:6379.
"""

import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = str(Path(__file__).resolve().parents[2])
REDIS_URL = "redis://127.0.0.1:6379/0"


def _run(env: dict[str, str], code: str, *, cwd: Path | None = None) -> str:
    """Run `code` with Django set up under `env`; return what it printed, or its last error."""
    setup = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'rogatory.settings'\n"
    result = subprocess.run(
        [sys.executable, "-c", setup + code],
        env={"PYTHONPATH": ROOT, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or result.stderr.strip().splitlines()[-1]


def _settings(env: dict[str, str], expression: str) -> str:
    return _run(env, f"import rogatory.settings as s; print({expression})")


@pytest.fixture
def redis_server() -> str:
    """Return the address of the local Redis, or skip when it does not answer."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2) as connection:
            connection.sendall(b"PING\r\n")
            answer = connection.recv(16)
    except OSError as error:
        pytest.skip(f"Redis does not answer on 127.0.0.1:6379: {error}")
    if not answer.startswith(b"+PONG"):
        pytest.skip(f"Redis on 127.0.0.1:6379 answered {answer!r} to PING")
    return REDIS_URL


# --- Parsing


def test_cache_is_the_database_table_by_default():
    cache = _settings({}, "s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION']")

    assert cache == "django.core.cache.backends.db.DatabaseCache rogatory_cache"


def test_redis_url_selects_the_redis_cache():
    cache = _settings(
        {"ROGATORY_CACHE_URL": "redis://cache.example.org:6379/2"},
        "s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION']",
    )

    assert cache == "django.core.cache.backends.redis.RedisCache redis://cache.example.org:6379/2"


def test_locmem_url_selects_the_memory_of_one_process():
    cache = _settings({"ROGATORY_CACHE_URL": "locmem://"}, "s.CACHES['default']['BACKEND']")

    assert cache == "django.core.cache.backends.locmem.LocMemCache"


def test_unknown_cache_scheme_is_refused_at_start_up():
    message = _settings({"ROGATORY_CACHE_URL": "memcached://127.0.0.1:11211"}, "s.CACHES")

    assert message == (
        "django.core.exceptions.ImproperlyConfigured: ROGATORY_CACHE_URL must start with "
        "redis://, rediss://, unix:// or locmem://, not 'memcached://127.0.0.1:11211'"
    )


def test_sessions_are_kept_in_the_database_by_default():
    engine = _settings({}, "s.SESSION_ENGINE")

    assert engine == "django.contrib.sessions.backends.db"


def test_session_store_cache_keeps_sessions_in_the_cache():
    engine = _settings({"ROGATORY_SESSION_STORE": "cache"}, "s.SESSION_ENGINE")

    assert engine == "django.contrib.sessions.backends.cache"


def test_unknown_session_store_is_refused_at_start_up():
    message = _settings({"ROGATORY_SESSION_STORE": "redis"}, "s.SESSION_ENGINE")

    assert message.endswith("ROGATORY_SESSION_STORE must be database or cache, not 'redis'")


# --- Working caches


def test_init_creates_the_table_of_the_database_cache(tmp_path):
    # `rogatory init` on a new database, then the cache in another process, as a server uses it.
    env = {"ROGATORY_DATABASE_URL": f"sqlite:///{tmp_path / 'rogatory.sqlite3'}"}
    subprocess.run(
        [sys.executable, "-m", "rogatory.cli", "init"],
        env={"PYTHONPATH": ROOT, **env},
        cwd=tmp_path,
        capture_output=True,
        check=True,
    )

    answer = _run(
        env,
        "django.setup()\n"
        "from django.core.cache import cache\n"
        "cache.set('figures', 42)\n"
        "print(cache.get('figures'))",
        cwd=tmp_path,
    )

    assert answer == "42"


def test_redis_cache_is_shared_by_processes(redis_server):
    key = f"test-{uuid.uuid4().hex}"
    env = {"ROGATORY_CACHE_URL": redis_server}

    written = _run(
        env, f"django.setup()\nfrom django.core.cache import cache\nprint(cache.add({key!r}, 7))"
    )
    read = _run(
        env,
        f"django.setup()\nfrom django.core.cache import cache\n"
        f"print(cache.get({key!r}), cache.delete({key!r}))",
    )

    assert (written, read) == ("True", "7 True")


def test_sessions_in_the_redis_cache_are_shared_by_servers(redis_server):
    env = {"ROGATORY_CACHE_URL": redis_server, "ROGATORY_SESSION_STORE": "cache"}
    session_store = (
        "django.setup()\nfrom django.contrib.sessions.backends.cache import SessionStore\n"
    )

    key = _run(
        env,
        session_store + "s = SessionStore()\ns['unit'] = 'central'\ns.save()\nprint(s.session_key)",
    )
    seen = _run(
        env,
        session_store + f"s = SessionStore({key!r})\nprint(s.get('unit'))\ns.delete()\n"
        f"print(SessionStore().exists({key!r}))",
    )

    assert seen.splitlines() == ["central", "False"]
