"""The payment providers' notification endpoints: outside the language prefix (Stripe posts to
one fixed address), included by minex/urls.py by name like every app's URLs."""

from django.urls import path

from . import views

urlpatterns = [
    path("billing/stripe/webhook/", views.stripe_webhook, name="billing_stripe_webhook"),
]
