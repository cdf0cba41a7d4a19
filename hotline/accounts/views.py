from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from .models import Profile


@login_required
def home(request):
    """The signed-in user's start page: who they are and their role's worklist (the console's
    reads: calls today, callbacks due, orders due soon, the board's counters)."""
    profile = Profile.objects.select_related("unit").filter(user=request.user).first()
    work = {}
    if apps.is_installed("hotline.console"):
        from hotline.console.queries import home_worklist

        work = home_worklist(request.user, timezone.now())
    return render(request, "accounts/home.html", {"profile": profile, "work": work})
