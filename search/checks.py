"""System checks of the search app (``manage.py check`` and every server start)."""

from __future__ import annotations

from django.core.checks import Tags, Warning, register

from search import whoosh_adapter


@register(Tags.compatibility)
def whoosh_version_check(app_configs=None, **kwargs) -> list[Warning]:
    """Warn when the installed whoosh-reloaded is not one the fast search engine was verified against."""
    if whoosh_adapter.version_verified():
        return []
    verified = ", ".join(sorted(whoosh_adapter.VERIFIED_VERSIONS))
    return [
        Warning(
            f"whoosh-reloaded {whoosh_adapter.installed_version()} is not a version Dossier's search engine "
            f"was verified against ({verified}).",
            hint="Searches are answered by stock Whoosh (correct, slower) and indexing uses Whoosh's own "
            f"writer. Install whoosh-reloaded=={max(whoosh_adapter.VERIFIED_VERSIONS)} for full speed.",
            id="search.W001",
        )
    ]
