from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("staff/", views.staff_index, name="staff_index"),
    path("staff/events/<slug:slug>/dashboard/", views.event_dashboard, name="dashboard"),
    path("staff/events/<slug:slug>/export/", views.export_registrations, name="export"),
    path("staff/exports/<int:export_id>/", views.export_status, name="export_status"),
    path(
        "staff/exports/<int:export_id>/download/",
        views.export_download,
        name="export_download",
    ),
]
