"""Loading the offices' spreadsheets: the year's task table and the people table."""

from bot.importing.people import import_people
from bot.importing.results import ImportRejected, ImportReport, RowError
from bot.importing.tasks import import_tasks

__all__ = ["ImportRejected", "ImportReport", "RowError", "import_people", "import_tasks"]
