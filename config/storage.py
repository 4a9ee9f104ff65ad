"""Static files: compressed, content-hashed names from `collectstatic` (WhiteNoise)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage, but a page never fails for want of `collectstatic`.

    Without a collected copy of a file (a fresh checkout served by `make dev`, the tests)
    its plain name is used; WhiteNoise's finders serve it from ``static/``.
    """

    manifest_strict = False

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:
            return name
