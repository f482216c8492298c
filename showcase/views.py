from django.shortcuts import render

from cases import stats


def home(request):
    """The front page: the headline figures, straight from the stats module."""
    return render(request, "showcase/home.html", {"headline": stats.headline()})
