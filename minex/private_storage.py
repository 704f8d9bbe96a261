"""Storage for files no URL may serve (visa invitation letters): rooted at
`settings.PRIVATE_MEDIA_ROOT`, outside MEDIA_ROOT, with no base URL. Only views that check
who asks read these files and stream them."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import cached_property


class PrivateFileStorage(FileSystemStorage):
    """A FileSystemStorage whose root is PRIVATE_MEDIA_ROOT, read when first used (so test
    settings apply) and which has no URL."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def url(self, name):
        raise ValueError("Private files have no URL; a view that checks access serves them.")

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


_storage = PrivateFileStorage()


def private_storage() -> PrivateFileStorage:
    """The storage of private files (a callable, so migrations do not freeze a path)."""
    return _storage
