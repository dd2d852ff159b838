"""Imports every table module so that the metadata (and Alembic) sees them all."""

from bot.storage import messaging, models, workflow

__all__ = ["messaging", "models", "workflow"]
