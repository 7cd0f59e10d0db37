from django.contrib.sitemaps import Sitemap

from .models import Program


class ProgramSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Program.objects.filter(status=Program.Status.PUBLISHED).order_by("slug")

    def lastmod(self, program: Program):
        return program.updated_at
