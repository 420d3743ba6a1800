"""Storage: models, migrations and the repository. Nothing outside imports SQLAlchemy or
the models: the store takes and hands out the frozen values of bot.core (items, nudges,
client channels, absences), read from rows by bot.store.values."""

from sqlalchemy.exc import SQLAlchemyError as StoreError

__all__ = ["StoreError"]
