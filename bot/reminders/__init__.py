"""Reminders and escalation on the working-day clock: the ladder of who hears what on which
day, the sweep that sends each day's digests exactly once, and the scheduler that runs it."""

from bot.reminders.digests import Digest
from bot.reminders.scheduler import ReminderScheduler
from bot.reminders.sweep import SweepResult, sweep

__all__ = ["Digest", "ReminderScheduler", "SweepResult", "sweep"]
