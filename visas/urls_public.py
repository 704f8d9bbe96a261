"""The verification URL printed on letters, outside the language prefix (minex/urls.py)."""

from django.urls import path

from . import views_letters

app_name = "visa_letters_verify"

urlpatterns = [
    path("visas/verify/<str:token>/", views_letters.verify_letter_redirect, name="verify"),
]
