from django.urls import path

from . import views

urlpatterns = [
    path("", views.privacy_policy_page, name="privacy_policy"),
    path("<str:version>/", views.privacy_policy_page, name="privacy_policy_version"),
]
