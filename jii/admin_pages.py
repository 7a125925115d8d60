"""One small base for the admin's own pages beside a model's lists and forms: figures, a form about one record,
a CSV. A ModelAdmin lists them in `pages`; each view checks its permission, then calls `render_page`, which adds
what every admin page needs (the site's context, the title, the model's options for the breadcrumbs)."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import URLPattern, path


class PagesAdmin(admin.ModelAdmin):
    #: (route, name of the view method, URL name), served before the model's own pages.
    pages: tuple[tuple[str, str, str], ...] = ()

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        own = [path(route, view(getattr(self, method)), name=name) for route, method, name in self.pages]
        return [*own, *super().get_urls()]

    def render_page(self, request, template_name: str, title: str, **context) -> TemplateResponse:
        page = {**self.admin_site.each_context(request), "title": title, "opts": self.model._meta, **context}
        return TemplateResponse(request, template_name, page)
