"""The site's own pages: the home page and the accessibility statement."""

from django.shortcuts import render

from aptic.core.access import public


@public
def home(request):
    return render(request, "site/home.html")


@public
def accessibility(request):
    return render(request, "site/accessibility.html")
