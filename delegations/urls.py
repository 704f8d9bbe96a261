from django.urls import path

from . import views

urlpatterns = [
    path("events/<slug:slug>/delegation/", views.register_delegation, name="register_delegation"),
    path("my/delegations/", views.my_delegations, name="my_delegations"),
    path("my/delegations/<int:pk>/", views.delegation_detail, name="delegation_detail"),
    path(
        "my/delegations/<int:pk>/<reference:reference>/change/",
        views.member_change,
        name="delegation_member_change",
    ),
    path(
        "my/delegations/<int:pk>/<reference:reference>/cancel/",
        views.member_cancel,
        name="delegation_member_cancel",
    ),
    path(
        "my/delegations/<int:pk>/<reference:reference>/substitute/",
        views.member_substitute,
        name="delegation_member_substitute",
    ),
    path("my/packages/<int:pk>/", views.package_detail, name="package_detail"),
    path(
        "my/packages/<int:pk>/slots/<int:position>/",
        views.package_slot_fill,
        name="package_slot_fill",
    ),
]
