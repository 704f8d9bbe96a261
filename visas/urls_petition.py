"""The secretariat's migration-service pages (`views_petition`), mounted under the admin's
prefix in minex/urls.py (before the admin's own catch-all)."""

from django.urls import path

from . import views_petition

app_name = "visas_petition"

urlpatterns = [
    path("", views_petition.petition_index, name="index"),
    path("<int:event_id>/", views_petition.petition_event, name="event"),
    path("<int:event_id>/list.xlsx", views_petition.petition_download, name="download"),
    path("<int:event_id>/apply/", views_petition.petition_apply, name="apply"),
]
