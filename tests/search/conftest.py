import pytest

from search.index import create_index, reset_searcher
from search.sync import rebuild_index


@pytest.fixture
def index(db):
    """An empty index in this test's own folder."""
    create_index()
    yield
    reset_searcher()


@pytest.fixture
def reindex(index):
    """Call to rebuild the index from what the test put in the database."""
    return rebuild_index
