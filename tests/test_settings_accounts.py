"""E-mail and privacy settings as a deployment sets them (fresh process, own environment)."""

import pytest

from tests.test_settings import last_line, manage

SHOW = "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.DOSSIER_PUBLIC)"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "django.core.mail.backends.console.EmailBackend True"),
        ({"DOSSIER_EMAIL_FILE_PATH": "mail"}, "django.core.mail.backends.filebased.EmailBackend True"),
        ({"EMAIL_HOST": "smtp.example.org", "DOSSIER_PUBLIC": "false"},
         "django.core.mail.backends.smtp.EmailBackend False"),
    ],
)
def test_digests_go_to_the_console_a_folder_or_smtp_as_the_environment_says(tmp_path, env, expected):
    result = manage("shell", "-c", SHOW, env={"DOSSIER_DATA_DIR": str(tmp_path), **env})
    assert result.returncode == 0, result.stderr
    assert last_line(result.stdout) == expected
