"""Storage: models, migrations and the repository. Nothing outside imports SQLAlchemy."""

from sqlalchemy.exc import SQLAlchemyError as StoreError

__all__ = ["StoreError"]
