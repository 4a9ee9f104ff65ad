"""The read API: articles, entities, sources and tags (search is in search/api.py)."""
