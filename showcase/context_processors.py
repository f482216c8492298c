"""Context every public page needs."""

from cases.models import Case, CaseOrigin


def portal(request):
    """`demo_data`: whether the register holds demonstration records, for the banner.

    Lazy, so pages that do not render the banner (the admin, JSON) run no query for it.
    """
    return {"demo_data": lambda: Case.objects.filter(origin=CaseOrigin.DEMO).exists()}
