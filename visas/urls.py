from django.urls import path

# Registers the `reference` converter (a registration reference as typed or pasted).
import registrations.urls  # noqa: F401

from . import views

urlpatterns = [
    path(
        "my/registrations/<reference:reference>/visa/",
        views.visa_request,
        name="visa_request",
    ),
    path(
        "my/registrations/<reference:reference>/visa/withdraw/",
        views.visa_request_withdraw,
        name="visa_request_withdraw",
    ),
]
