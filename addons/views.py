"""The delegate's add-ons page: book the add-ons still on offer, cancel a booking. Staff's
manifest downloads are in `admin.py`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from minex.ratelimit import limit_posts_per_user
from registrations.selectors import get_delegate_registration

from . import services
from .forms import BookAddOnsForm
from .models import AddOnBooking
from .panels import registration_context


@login_required
@require_http_methods(["GET", "POST"])
@limit_posts_per_user("delegate_forms")
def registration_add_ons(request, reference):
    """The registration's add-ons: the bookings with their status (and waitlist position), and
    a form for the add-ons still on offer. Only the delegate's own registration (else 404)."""
    registration = get_delegate_registration(request.user, reference)
    status = 200
    form = None
    if request.method == "POST":
        booked = services.registration_bookings_ids(registration)
        form = BookAddOnsForm(request.POST, registration=registration, booked_ids=booked)
        status = 400
        if form.is_valid():
            try:
                bookings = services.book_add_ons(
                    registration,
                    form.cleaned_data["add_ons"],
                    acting_user=request.user,
                    details=form.details(),
                )
            except services.AddOnError as refusal:
                form.add_error(None, refusal.message)
                status = 409
            except ValidationError as error:
                for field, field_errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, field_errors)
            else:
                waitlisted = [b for b in bookings if b.status == AddOnBooking.Status.WAITLISTED]
                if waitlisted:
                    messages.info(
                        request,
                        _("Booked. Some add-ons are full: you are on their waitlist."),
                    )
                else:
                    messages.success(request, _("Your add-ons are booked."))
                return redirect("registration_add_ons", reference=registration.reference)
    context = registration_context(request, registration, form=form) or {
        "bookings": [],
        "form": None,
    }
    context["registration"] = registration
    return render(request, "addons/registration_add_ons.html", context, status=status)


@login_required
@require_POST
@limit_posts_per_user("delegate_forms")
def cancel_add_on(request, reference, booking_id):
    """Cancel one of the delegate's own bookings (POST); its place goes to the waitlist."""
    registration = get_delegate_registration(request.user, reference)
    booking = get_object_or_404(AddOnBooking, pk=booking_id, registration=registration)
    try:
        services.cancel_booking(booking, acting_user=request.user)
    except services.AddOnError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("%(add_on)s is cancelled.") % {"add_on": booking.add_on.name})
    return redirect("registration_add_ons", reference=registration.reference)
