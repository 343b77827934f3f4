import base64

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from accounts.roles import role_required
from privacypass.services import (
    ISSUER_NAME,
    TOKEN_TYPE,
    BudgetSpent,
    TokenRefused,
    TokensUnavailable,
    batch_issue,
    token_week,
    week_key,
)


@require_safe
@never_cache
@role_required("assets.view_asset")
def token_key(request: HttpRequest) -> JsonResponse:
    """This week's issuer key and challenge: what a browser needs to blind its batch."""
    key = week_key(token_week())
    year, number, _ = key.week.isocalendar()
    return JsonResponse(
        {
            "week": f"{year}-W{number:02d}",
            "token_type": TOKEN_TYPE,
            "issuer_name": ISSUER_NAME,
            "token_key": base64.urlsafe_b64encode(key.public_key).decode(),
            "batch": settings.TRACKING_WEEKLY_TOKENS,
        }
    )


@require_POST
@never_cache
@role_required("assets.view_asset")
def token_issue(request: HttpRequest) -> HttpResponse:
    """Evaluate the browser's blinded batch; the body is the batched token request."""
    try:
        response = batch_issue(account_id=request.user.pk, request=request.body)
    except BudgetSpent as refused:
        return HttpResponse(str(refused), status=429, content_type="text/plain")
    except TokenRefused as refused:
        return HttpResponse(str(refused), status=400, content_type="text/plain")
    except TokensUnavailable:
        return HttpResponse("Try again later.", status=503, content_type="text/plain")
    return HttpResponse(response, content_type="application/private-token-batch-response")
