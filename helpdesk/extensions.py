"""Flask extensions, created unbound here and bound to the app in create_app()."""

from typing import TYPE_CHECKING

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations portable between SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))

# The base class of every model. Flask-SQLAlchemy builds `db.Model` at run time, which a type
# checker cannot follow (mypy: 'Name "db.Model" is not defined'); to it, the base is what
# db.Model is, a SQLAlchemy declarative base.
if TYPE_CHECKING:

    class Model(DeclarativeBase):
        """The declarative base, as the type checker sees it."""

else:
    Model = db.Model
migrate = Migrate()
login_manager = LoginManager()
# The session and remember-me cookies carry a sign-in's key (User.sign_in_key), not the user
# id: logout and a new password delete sign-ins, and the user loader refuses their keys.
login_manager.id_attribute = "sign_in_key"
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
