from django.urls import path

from . import views

app_name = "badges"

urlpatterns = [
    path("my/registrations/<str:reference>/ticket/", views.ticket, name="ticket"),
]
