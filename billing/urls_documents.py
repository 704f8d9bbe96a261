from django.urls import path

from . import views_documents

urlpatterns = [
    path(
        "my/registrations/<str:reference>/documents/<int:invoice_id>/pdf/",
        views_documents.delegate_document_download,
        name="billing_document_download",
    ),
    path(
        "billing/documents/<int:invoice_id>/pdf/",
        views_documents.staff_document_download,
        name="billing_staff_document_download",
    ),
]
