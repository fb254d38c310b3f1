"""The API tokens page (the user menu → API tokens): make a token, shown once; revoke one."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from execcoord.models import ApiToken

LIFETIMES = ((7, "7 days"), (30, "30 days"), (90, "90 days"), (365, "1 year"))


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="Name",
        help_text="What the token is for, such as “Power BI report” or “records system”.",
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    lifetime = forms.TypedChoiceField(
        choices=LIFETIMES,
        coerce=int,
        initial=90,
        label="Expires after",
        widget=forms.Select(attrs={"class": "form-select"}),
    )


def api_tokens(request):
    """The user's tokens; a POST makes one and shows its secret on this answer only."""
    secret = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            expires = timezone.now() + timedelta(days=form.cleaned_data["lifetime"])
            _, secret = ApiToken.issue(request.user, form.cleaned_data["name"], expires)
            form = TokenForm()
    else:
        form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    context = {"form": form, "tokens": tokens, "secret": secret, "docs_url": reverse("api-docs")}
    return render(request, "api/tokens.html", context)


@require_POST
def api_token_revoke(request, pk):
    """Revoke one of the user's own tokens (another's is a 404)."""
    token = get_object_or_404(ApiToken.objects.filter(user=request.user), pk=pk)
    token.revoke()
    messages.success(request, f"The token “{token.name}” no longer works.")
    return HttpResponseRedirect(reverse("api_tokens"))
