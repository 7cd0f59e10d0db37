from django.http import HttpRequest, HttpResponse
from django.urls import path

# About the size of the program page (bench/pages.py prints both), with no work behind it.
PAGE = ("<!doctype html><title>fixed</title>" + "<p>calm</p>" * 1330).encode()


def fixed(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE)


urlpatterns = [path("", fixed)]
