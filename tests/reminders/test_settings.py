"""E-mail and reminder settings come from the environment, with safe defaults."""

from tests.core.test_settings import _settings


def test_development_prints_mail_and_production_sends_it_by_smtp():
    assert _settings({"ROGATORY_DEBUG": "true"}, "s.EMAIL_BACKEND") == (
        "django.core.mail.backends.console.EmailBackend"
    )
    assert _settings({}, "s.EMAIL_BACKEND") == "django.core.mail.backends.smtp.EmailBackend"


def test_the_smtp_server_and_sender_come_from_the_environment():
    environment = {
        "ROGATORY_EMAIL_BACKEND": "smtp",
        "ROGATORY_EMAIL_HOST": "mail.example.org",
        "ROGATORY_EMAIL_PORT": "587",
        "ROGATORY_EMAIL_USER": "rogatory",
        "ROGATORY_EMAIL_PASSWORD": "from-the-environment",
        "ROGATORY_EMAIL_USE_TLS": "true",
        "ROGATORY_EMAIL_FROM": "Rogatory <rogatory@example.org>",
    }
    assert _settings(
        environment,
        "s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, "
        "s.EMAIL_USE_SSL, s.DEFAULT_FROM_EMAIL",
    ) == (
        "mail.example.org 587 rogatory from-the-environment True False "
        "Rogatory <rogatory@example.org>"
    )


def test_the_file_backend_writes_where_it_is_told(tmp_path):
    environment = {"ROGATORY_EMAIL_BACKEND": "file", "ROGATORY_EMAIL_FILE_PATH": str(tmp_path)}
    assert _settings(environment, "s.EMAIL_BACKEND, s.EMAIL_FILE_PATH") == (
        f"django.core.mail.backends.filebased.EmailBackend {tmp_path}"
    )


def test_wrong_values_are_named():
    assert "ROGATORY_EMAIL_BACKEND must be console, file, smtp" in _settings(
        {"ROGATORY_EMAIL_BACKEND": "pigeon"}, "s.EMAIL_BACKEND"
    )
    assert "not both" in _settings(
        {"ROGATORY_EMAIL_USE_TLS": "yes", "ROGATORY_EMAIL_USE_SSL": "yes"}, "s.EMAIL_BACKEND"
    )
    assert "ROGATORY_REMINDER_HOUR must be an hour from 0 to 23" in _settings(
        {"ROGATORY_REMINDER_HOUR": "24"}, "s.ROGATORY_REMINDER_HOUR"
    )
    assert "ROGATORY_REMINDER_LANGUAGE must be one of en, ru" in _settings(
        {"ROGATORY_REMINDER_LANGUAGE": "de"}, "s.ROGATORY_REMINDER_LANGUAGE"
    )


def test_links_in_e_mails_start_with_the_base_address_without_a_trailing_slash():
    assert (
        _settings({"ROGATORY_BASE_URL": "https://rogatory.example/"}, "s.ROGATORY_BASE_URL")
        == "https://rogatory.example"
    )
    assert _settings({}, "repr(s.ROGATORY_BASE_URL), s.ROGATORY_REMINDER_HOUR") == "'' 7"
