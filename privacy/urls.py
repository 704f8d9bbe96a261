from django.urls import path

from . import views

urlpatterns = [
    path("profile/my-data/", views.my_data, name="my_data"),
    path("profile/my-data.json", views.my_data_download, name="my_data_download"),
    path("profile/delete/", views.delete_account, name="delete_account"),
    path("profile/deleted/", views.account_deleted, name="account_deleted"),
]
