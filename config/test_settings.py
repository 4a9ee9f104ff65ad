"""Settings for the test suite: the real settings, with data in a throwaway folder."""

import os
import tempfile

os.environ.setdefault("DOSSIER_DATA_DIR", tempfile.mkdtemp(prefix="dossier-test-"))
# Jobs run at once in the test process, so a save is indexed when its transaction commits;
# the tests of the job machinery choose the database or Redis backend themselves.
os.environ.setdefault("DOSSIER_TASKS_BACKEND", "immediate")

from config.settings import *  # noqa: E402,F403

# Hashing passwords properly is slow by design; tests only need it to work.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Test machines are shared and slow at times; a test about the time budget sets its own.
# (The archive of test_hostile looks up thousands of made-up words, cold, in one search.)
SEARCH_TIME_BUDGET_MS = 10_000
