"""A participant downloads a receipt or credit note of their own registration.

Who may is decided where it is for every page of a registration (registrations.access):
the browser that made it or opened its emailed link, its account, or staff allowed to
view registrations. Anyone else gets the sign-in page or a 404, as on those pages.
"""

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from registrations import access

from .models import Receipt
from .pdf import receipt_pdf


def pdf_response(receipt: Receipt, *, download: bool = False) -> HttpResponse:
    response = HttpResponse(receipt_pdf(receipt), content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{receipt.filename}"'
    # Names and amounts: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@access.exchanges_link_token
def receipt_download(request: HttpRequest, reference: str, number: int) -> HttpResponse:
    facts = access.registration_for(request, reference=reference)
    if facts is None:
        if request.user.is_authenticated:
            raise Http404("No such receipt.")
        return redirect_to_login(request.get_full_path())
    receipt = (
        Receipt.objects.select_related("original")
        .filter(registration=facts.registration, number=number)
        .first()
    )
    if receipt is None:
        raise Http404("No such receipt.")
    return pdf_response(receipt)
