from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShowcaseConfig(AppConfig):
    name = "showcase"
    verbose_name = _("Public portal")

    def ready(self):
        from audit.tracking import track
        from cases.figures import signals
        from showcase.models import ShowcasePage

        track(ShowcasePage)
        # Case pages link to their showcase pages: a page published or withdrawn changes them.
        signals.watch(ShowcasePage)
