import os
import shutil
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _own_data_dirs(settings, tmp_path):
    """Every test gets its own search index folder, so no test sees another's index."""
    settings.SEARCH_INDEX_DIR = tmp_path / "index"


@pytest.fixture
def chromium_path() -> str:
    """Debian's Chromium. Outside CI a machine without it skips browser tests; in CI that is a failure."""
    path = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("Chromium is required in CI (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return path
