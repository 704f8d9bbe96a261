from django.urls import path

from . import views

urlpatterns = [
    path(
        "my/registrations/<str:reference>/invoices/<int:invoice_id>/pay/card/",
        views.pay_by_card,
        name="billing_pay_by_card",
    ),
]
