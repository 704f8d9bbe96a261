"""The secretariat's admin for registrations, categories and capacity (see each module)."""

from . import capacity, registration

__all__ = ["capacity", "registration"]
