from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from hotline.geo.models import Division, HandlingUnit

from .models import Profile


@login_required
def home(request):
    """The signed-in user's start page: who they are, their unit, what the platform holds."""
    profile = Profile.objects.select_related("unit").filter(user=request.user).first()
    stats = {
        "towns": Division.objects.filter(level="town").count(),
        "villages": Division.objects.filter(level="village").count(),
        "units": HandlingUnit.objects.active().count(),
    }
    return render(request, "accounts/home.html", {"profile": profile, "stats": stats})
