"""Billing's staff page: the accountant's list of invoices and credit notes per entity and
period, as CSV or XLSX. Who gets in: active staff with `billing.view_billing` (403 without);
only documents of events they may see (`events_visible_to`)."""

import functools
import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import exports, selectors
from .forms import AccountantListForm

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def billing_staff_page(view):
    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.is_active and user.is_staff and user.has_perm("billing.view_billing")):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_GET
@billing_staff_page
def accountant_list(request):
    """The form (entity, from, to); with `format=csv|xlsx` and valid values, the file."""
    form = AccountantListForm(request.GET if "format" in request.GET else None)
    if not form.is_bound or not form.is_valid():
        status = 400 if form.is_bound else 200
        return render(request, "billing/accountant_list.html", {"form": form}, status=status)
    values = form.cleaned_data
    documents = selectors.accountant_documents(
        request.user, entity=values["entity"], start=values["start"], end=values["end"]
    )
    name = f"{values['entity'].invoice_prefix}-{values['start']:%Y%m%d}-{values['end']:%Y%m%d}"
    if values["format"] == "csv":
        response = StreamingHttpResponse(
            exports.csv_rows(documents.iterator(chunk_size=1000)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="invoices-{name}.csv"'
        return response
    # FileResponse closes it once sent; below 5 MB it never touches the disk.
    target = tempfile.SpooledTemporaryFile(max_size=5 * 1024 * 1024)  # noqa: SIM115
    exports.write_xlsx(documents.iterator(chunk_size=1000), target)
    target.seek(0)
    return FileResponse(
        target, as_attachment=True, filename=f"invoices-{name}.xlsx", content_type=XLSX_MIMETYPE
    )
