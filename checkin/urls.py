from django.urls import path

from . import views

app_name = "checkin"

urlpatterns = [
    path("staff/checkin/sw.js", views.service_worker, name="service_worker"),
    path("staff/checkin/<int:event_id>/", views.page, name="page"),
    path("staff/checkin/<int:event_id>/scan/", views.scan, name="scan"),
    path("staff/checkin/<int:event_id>/scans/<int:scan_id>/undo/", views.undo, name="undo"),
    path("staff/checkin/<int:event_id>/search/", views.search, name="search"),
    path("staff/checkin/<int:event_id>/offline/", views.offline, name="offline"),
    path("staff/checkin/<int:event_id>/sync/", views.sync, name="sync"),
    path("staff/checkin/<int:event_id>/live/", views.live, name="live"),
]
