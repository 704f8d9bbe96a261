"""Letter pages under the language prefix: the verification page and the downloads."""

from django.urls import path

from . import views_letters

app_name = "visa_letters"

urlpatterns = [
    path("visas/verify/<str:token>/", views_letters.verify_letter, name="verify"),
    path(
        "my/visa-letters/<int:letter_id>/download/",
        views_letters.delegate_download,
        name="delegate_download",
    ),
    path(
        "staff/visa-letters/<int:letter_id>/download/",
        views_letters.staff_download,
        name="staff_download",
    ),
]
