from django.shortcuts import render

from .selectors import get_public_event, upcoming_and_past_events


def home(request):
    upcoming, past = upcoming_and_past_events()
    return render(request, "events/home.html", {"upcoming": upcoming, "past": past})


def event_detail(request, slug):
    event = get_public_event(slug)
    return render(
        request,
        "events/event_detail.html",
        {"event": event, "registration_state": event.registration_state()},
    )
