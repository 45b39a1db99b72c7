"""The reports for managers: the dashboard of today and of a range, and its CSV downloads."""

from helpdesk.web.reports import views
from helpdesk.web.reports.blueprint import bp

# Importing the view module registers its routes on the blueprint.
__all__ = ["bp", "views"]
