"""The App Home tab: a person's open action items, tasks with weekly hours, next meetings and next
piket shift. Published when the tab is opened and again whenever one of their items changes.
What it shows is bot.services.home; `slack` renders and publishes it."""

from __future__ import annotations

from handlers.feature import Feature
from handlers.home.slack import register

FEATURE = Feature(name="home", order=50, listeners=register)
