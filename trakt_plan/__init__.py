"""trakt-plan: declarative plan/apply cleanup of a Trakt.tv watch history."""

__version__ = "0.1.0"
