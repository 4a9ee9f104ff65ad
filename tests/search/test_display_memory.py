"""Showing names (the sentence that names an entity) never loads the tagger's word lists.

Whether a name is also an ordinary word (wordfreq, pymorphy3) matters when tagging, in
imports and jobs. A web server only shows where names are written; loading those lists
there cost each gunicorn worker over 100 MB.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
import django
django.setup()
from search.snippets import sentence_snippet
text = "Новости дня. Президент Того прибыл в Астану. The male lead arrived in Male on Monday."
print(sentence_snippet(text, ["Того"]))
print(sentence_snippet(text, ["Male"]))
print("wordfreq" in sys.modules, "pymorphy3" in sys.modules)
"""


def test_showing_names_loads_no_word_lists(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "DOSSIER_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    togo, male, loaded = done.stdout.strip().splitlines()
    # Every written name is shown, ordinary word or not ("Male" the capital, not "male" the word).
    assert togo == "Президент <mark>Того</mark> прибыл в Астану."
    assert male == "The male lead arrived in <mark>Male</mark> on Monday."
    assert loaded == "False False"
