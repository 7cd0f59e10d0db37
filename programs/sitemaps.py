from django.contrib.sitemaps import Sitemap

from .models import Program


class ProgramSitemap(Sitemap):
    changefreq = "weekly"
    # Each program page in English and in French (/fr/...), each listing the other as
    # its alternate, with the English page as x-default.
    i18n = True
    alternates = True
    x_default = True

    def items(self):
        return Program.objects.filter(status=Program.Status.PUBLISHED).order_by("slug")

    def lastmod(self, program: Program):
        return program.updated_at
