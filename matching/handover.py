"""OFP's public hand-over: all another program may use of OFP. Spot brings a resident it helped who would like an
Otonari-san (import-linter, in pyproject.toml, keeps every other module of matching out of other programs' reach)."""

from matching.services import MatchingError, apply_from_spot

__all__ = ["MatchingError", "apply_from_spot"]
