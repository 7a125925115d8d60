"""Spot's public hand-over: all another program may use of Spot Otonari-san. Kurashi consultations passes on a case
a volunteer can help with, offering Spot's own topics, urgencies and ways of helping, never copies of them
(import-linter, in pyproject.toml, keeps every other module of spot out of other programs' reach)."""

from spot.forms import topic_choices
from spot.models import HelpMode, Urgency
from spot.services import submit_from_consultation

__all__ = ["HelpMode", "Urgency", "submit_from_consultation", "topic_choices"]
