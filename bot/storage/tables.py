"""Imports every table module so that the metadata (and Alembic) sees them all."""

from bot.storage import messaging, models

__all__ = ["messaging", "models"]
