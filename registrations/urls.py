from django.urls import path, register_converter

from . import views


class ReferenceConverter:
    """A registration reference as typed or pasted (MX26-AST-7K3QF, any case); anything else
    is simply not a registration page (404)."""

    regex = "[A-Za-z0-9-]{1,24}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "reference")

urlpatterns = [
    path("events/<slug:slug>/register/", views.register, name="register"),
    path("profile/", views.my_profile, name="my_profile"),
    path("my/registrations/", views.my_registrations, name="my_registrations"),
    path(
        "my/registrations/<reference:reference>/",
        views.registration_detail,
        name="registration_detail",
    ),
    path(
        "my/registrations/<reference:reference>/thank-you/",
        views.registration_done,
        name="registration_done",
    ),
    path(
        "my/registrations/<reference:reference>/change/",
        views.registration_change,
        name="registration_change",
    ),
    path(
        "my/registrations/<reference:reference>/cancel/",
        views.registration_cancel,
        name="registration_cancel",
    ),
    path(
        "my/registrations/<reference:reference>/substitute/",
        views.registration_substitute,
        name="registration_substitute",
    ),
    path(
        "my/registrations/<reference:reference>/calendar.ics",
        views.registration_calendar_file,
        name="registration_calendar",
    ),
]
