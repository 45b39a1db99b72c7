"""Packaging glue that pyproject.toml cannot express (everything else is there).

Page templates and static files live at the top of the checkout, where a newcomer looks
for them; a built wheel carries them inside the package as `helpdesk/templates` and
`helpdesk/static` (see `helpdesk.config.ASSETS_ROOT`), so `pip install .` gives a whole app.
"""

from setuptools import find_namespace_packages, setup

PACKAGES = find_namespace_packages(
    include=["helpdesk", "helpdesk.*", "mail_gateway", "mail_gateway.*"],
    exclude=["*.__pycache__"],
)

setup(
    packages=[*PACKAGES, "helpdesk.templates", "helpdesk.static"],
    package_dir={"helpdesk.templates": "templates", "helpdesk.static": "static"},
)
