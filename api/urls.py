from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"

router = SimpleRouter()
router.register("forums", views.ForumViewSet, basename="forum")
router.register("events", views.EventViewSet, basename="event")
router.register("registrations", views.RegistrationViewSet, basename="registration")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.DocumentationView.as_view(), name="docs"),
]
