"""The badges in the admin: the badge list (printing, reissuing), designs, prints, batches."""

from . import badge, records  # noqa: F401
