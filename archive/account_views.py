"""Pages of a signed-in user: their account (feed key, API token) and their saved searches."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.authtoken.models import Token

from archive.accounts import ROLES, any_signed_in_user, feed_key_for, public, rotate_feed_key
from archive.models import SavedSearch
from archive.saved import (
    SavedSearchError,
    digests_for_token,
    new_matches,
    open_saved_search,
    save_search,
    unsubscribe,
)


@any_signed_in_user
@login_required
def account(request: HttpRequest) -> HttpResponse:
    groups = set(request.user.groups.values_list("name", flat=True))
    roles = [role for role, group in ROLES.items() if group in groups]
    token = Token.objects.filter(user=request.user).first()
    context = {"roles": roles, "feed_key": feed_key_for(request.user), "api_token": token}
    return TemplateResponse(request, "registration/account.html", context)


@any_signed_in_user
@login_required
@require_POST
def rotate_key(request: HttpRequest) -> HttpResponse:
    rotate_feed_key(user=request.user)
    messages.success(request, "Your feed key was replaced; feed addresses with the old key no longer work.")
    return redirect("account")


@any_signed_in_user
@login_required
@require_POST
def api_token(request: HttpRequest) -> HttpResponse:
    Token.objects.filter(user=request.user).delete()
    Token.objects.create(user=request.user)
    messages.success(request, "A new API token was made; the old one no longer works.")
    return redirect("account")


@login_required
def saved_list(request: HttpRequest) -> HttpResponse:
    searches = list(SavedSearch.objects.of(request.user))
    for saved in searches:
        saved.new = new_matches(saved)
    return TemplateResponse(request, "archive/saved_list.html", {"searches": searches})


@login_required
@require_POST
def saved_create(request: HttpRequest) -> HttpResponse:
    params = QueryDict(request.POST.get("params", "")[:4000])
    try:
        saved = save_search(user=request.user, name=request.POST.get("name", ""), params=params)
    except SavedSearchError as error:
        messages.error(request, str(error))
        back = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
            return redirect(back)
        return redirect("saved_list")
    if request.POST.get("digest"):
        saved.digest = True
        saved.save(update_fields=["digest"])
    messages.success(request, f"Saved as “{saved.name}”.")
    return redirect("saved_list")


@login_required
def saved_open(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedSearch.objects.of(request.user), pk=pk)
    return redirect(open_saved_search(saved))


@login_required
@require_POST
def saved_digest(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedSearch.objects.of(request.user), pk=pk)
    saved.digest = request.POST.get("digest") == "on"
    saved.save(update_fields=["digest"])
    if saved.digest and not request.user.email:
        messages.warning(request, "Add an e-mail address to your account to receive the digest.")
    else:
        messages.success(request, f"Daily e-mail for “{saved.name}” is {'on' if saved.digest else 'off'}.")
    return redirect("saved_list")


@login_required
@require_POST
def saved_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedSearch.objects.of(request.user), pk=pk)
    saved.delete()
    messages.success(request, f"Deleted “{saved.name}”.")
    return redirect("saved_list")


# Mail programs post here without a session or a CSRF token (RFC 8058 one-click); the
# signed token is the authority. A GET only shows the button, so a link checker that
# fetches every URL in a message unsubscribes nobody.
@public
@csrf_exempt
@require_http_methods(["GET", "POST"])
def saved_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    searches = digests_for_token(token)
    if searches is None:
        raise Http404("This unsubscribe link is not valid.")
    names = [saved.name for saved in searches]
    done = False
    if request.method == "POST":
        unsubscribe(searches)
        done = True
    return TemplateResponse(request, "archive/unsubscribe.html", {"names": names, "done": done})
