"""Context every public page needs."""

from cases.figures import provenance


def portal(request):
    """`demo_data`: whether the register holds demonstration records, for the banner.

    Lazy, so pages that do not render the banner (the admin, JSON) run no query for it; and
    remembered per generation, as without demonstration records the query reads every case.
    """

    def demo_data():
        return provenance.holds_demo_data(request)

    def data_date():
        """The data date of every figure on the site; a page about fewer figures (a region,
        a filtered dashboard) sets `page_data_date` to theirs."""
        return provenance.date_label(provenance.data_date())

    return {"demo_data": demo_data, "data_date": data_date}
