from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("staff/billing/documents/", views.accountant_list, name="accountant_list"),
]
