"""The ceiling the pages are measured against: the smallest Django app that serves a page.

One view returning a fixed page of the program page's size; no middleware, no
database, no installed apps. Started by bench/pages.py with gunicorn exactly as the
site is, on a port of its own.
"""
