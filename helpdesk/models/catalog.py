"""Catalogues that classify incidents: categories and affected services."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from helpdesk.extensions import Model


class CatalogueEntry(Model):
    """A named entry; retired entries stay on old incidents but are not offered for new ones."""

    __abstract__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    active: Mapped[bool] = mapped_column(default=True)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


class Category(CatalogueEntry):
    """What kind of incident this is (Hardware, Network, Email, ...)."""

    __tablename__ = "categories"


class Service(CatalogueEntry):
    """A business service that an incident affects (Email, VPN, Payroll, ...)."""

    __tablename__ = "services"
