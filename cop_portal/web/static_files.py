"""The static files' storage in production: WhiteNoise's compressed, hashed files, with each
file's address worked out once per process.

The manifest is read when the process starts and does not change while it runs, so the address
of a name is the same every time; working it out (the manifest look-up, splitting and joining
the URL) costs every page about 20 µs for each `{% static %}` in the base layout. Addresses are
kept only for names found in the manifest, at most ADDRESSES_KEPT of them: a name that is
missing still raises, as it would without this."""

from whitenoise.storage import CompressedManifestStaticFilesStorage

ADDRESSES_KEPT = 1000


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._addresses: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        try:
            return self._addresses[name]
        except KeyError:
            address = super().url(name)
            if len(self._addresses) < ADDRESSES_KEPT:
                self._addresses[name] = address
            return address
