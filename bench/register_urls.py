from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import path

from minex.urls import handler404, handler500  # noqa: F401 - the portal's error pages
from minex.urls import urlpatterns as portal_urlpatterns


@login_required
def bare(request):
    if request.method == "POST":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_hit (user_id) VALUES (%s)", [request.user.pk])
        return HttpResponse(status=204)
    return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')


urlpatterns = [path("bench/bare/", bare), *portal_urlpatterns]
