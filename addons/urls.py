from django.urls import path

from . import views

urlpatterns = [
    path(
        "my/registrations/<reference:reference>/add-ons/",
        views.registration_add_ons,
        name="registration_add_ons",
    ),
    path(
        "my/registrations/<reference:reference>/add-ons/<int:booking_id>/cancel/",
        views.cancel_add_on,
        name="registration_add_on_cancel",
    ),
]
