"""SQL helpers shared by the petition modules."""

from __future__ import annotations

from civic import db


def dialect_insert(model):
    """``INSERT`` with ON CONFLICT support for the backend in use."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)
