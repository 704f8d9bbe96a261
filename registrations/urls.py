from django.urls import path

from . import views

urlpatterns = [
    path("events/<slug:slug>/register/", views.register, name="register"),
    path("my/registrations/", views.my_registrations, name="my_registrations"),
    path(
        "my/registrations/<str:reference>/", views.registration_detail, name="registration_detail"
    ),
    path(
        "my/registrations/<str:reference>/thank-you/",
        views.registration_done,
        name="registration_done",
    ),
    path(
        "my/registrations/<str:reference>/change/",
        views.registration_change,
        name="registration_change",
    ),
    path(
        "my/registrations/<str:reference>/cancel/",
        views.registration_cancel,
        name="registration_cancel",
    ),
    path(
        "my/registrations/<str:reference>/calendar.ics",
        views.registration_calendar_file,
        name="registration_calendar",
    ),
]
