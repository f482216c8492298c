"""The production storage of static files, with each file's URL worked out once per process.

Every page links its stylesheets, scripts and icon through `{% static %}`, and the manifest
storage looks each name up, cleans and quotes it on every call. The manifest is read once when
the process starts and never changes while it runs (a deploy starts new processes), so the
URL of a name is remembered.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class PortalStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """whitenoise's compressed manifest storage with its URLs remembered per name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force)
        try:
            return self._urls[name]
        except KeyError:
            url = self._urls[name] = super().url(name)
            return url
