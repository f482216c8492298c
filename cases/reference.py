"""The reference data every installation needs: regions, offices, states, themes, figures."""

from django.core.management import call_command

# In dependency order: states and jurisdictions name regions; offices name both.
REFERENCE_FIXTURES = ["regions", "states", "counties", "offices", "themes", "published_figures"]


def load_reference_data(verbosity: int = 0) -> None:
    """Load (or refresh in place, by natural key) every reference fixture."""
    call_command("loaddata", *REFERENCE_FIXTURES, verbosity=verbosity)
