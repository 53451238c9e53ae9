"""Every failure trakt-plan reports to a person, and the exit status it maps to.

The CLI has exactly one handler that turns these into a one-paragraph message on
stderr and an :class:`ExitStatus`; anything else escaping is a bug (and shows a
traceback only under ``-v``).

Exception tree::

    TraktPlanError                  user-grade message, exit 1
    ├── ConfigError                 bad flag, environment or config file value
    ├── SpecError                   a plan YAML that is not valid (file:line:col)
    ├── ResolveError                a show/movie reference that is unknown or ambiguous
    ├── AuthError                   not logged in, refresh failed, device flow aborted
    ├── ApiError                    Trakt answered with an error (status, endpoint)
    │   ├── NotFound                404: no such show, movie or record
    │   ├── RateLimited             429s that outlasted the retry budget
    │   ├── Forbidden               403: bad API key, blocked app, Cloudflare
    │   ├── AccountLimitExceeded    420
    │   ├── AccountLocked           423: the user must contact Trakt support
    │   └── VipRequired             426
    ├── NetworkError                connection/timeouts that outlasted the retries
    │   └── WriteOutcomeUnknown     a non-idempotent write (add) may or may not have landed
    ├── PlanFileError               a saved plan that is unreadable or tampered with
    ├── AccountMismatchError        a saved plan made for another user or API base
    ├── UnsafePlanError             over max_deletions without --allow-mass-delete
    ├── StalePlanError              planned plays changed since the plan was made
    ├── JournalError                lock held, journal unreadable or unwritable
    ├── Aborted                     the user said no (or could not be asked)
    └── Interrupted                 Ctrl-C (exit 130), with the command that resumes, if any

This module imports nothing from the package so every layer may use it.
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """Process exit codes; the contract is section 5 of the spec."""

    OK = 0
    ERROR = 1
    # Only with `plan --detailed-exitcode`: success, and there is something to delete.
    CHANGES = 2
    INTERRUPTED = 130


class TraktPlanError(Exception):
    """Base of every error meant for a person: ``str(err)`` is the whole message."""

    exit_status: ExitStatus = ExitStatus.ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(TraktPlanError):
    """A flag, environment variable or config file value is unusable."""


class SpecError(TraktPlanError):
    """A plan YAML is invalid. Carries the location so tests can pin it."""

    def __init__(
        self,
        message: str,
        *,
        file: str,
        line: int | None = None,
        column: int | None = None,
        key_path: str = "",
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.key_path = key_path
        where = file if line is None else f"{file}:{line}:{column or 1}"
        at = f" at {key_path}" if key_path else ""
        super().__init__(f"{where}: {message}{at}" if not message.startswith(where) else message)
        self.reason = message


class ResolveError(TraktPlanError):
    """A show or movie reference matched nothing, or more than one title."""


class AuthError(TraktPlanError):
    """No usable credentials: log in (again)."""


class ApiError(TraktPlanError):
    """Trakt answered with a status we do not retry (or stopped retrying)."""

    def __init__(self, message: str, *, status: int | None = None, endpoint: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.endpoint = endpoint


class NotFound(ApiError):
    """404: the id or slug names nothing on Trakt."""


class RateLimited(ApiError):
    """429s kept coming after the retry budget was spent."""


class Forbidden(ApiError):
    """403: invalid API key, an app Trakt removed, or a Cloudflare block."""


class AccountLimitExceeded(ApiError):
    """420: an account limit (list or item count) was hit."""


class AccountLocked(ApiError):
    """423: the account is locked or deactivated; only Trakt support can help."""


class VipRequired(ApiError):
    """426: the call needs a Trakt VIP subscription."""


class NetworkError(TraktPlanError):
    """The server could not be reached (or kept dropping) after retries."""


class WriteOutcomeUnknown(NetworkError):
    """An add was sent but no usable answer came back (a timeout, a drop, a 5xx such as 524).

    The add may still land: Trakt keeps working on a request it did not answer in
    time. It does not de-duplicate adds, so such a write is never re-sent in the
    same run; ``recheck_after`` is how many seconds to wait before a re-read of the
    history can tell whether it landed.
    """

    def __init__(self, message: str, *, recheck_after: float = 300.0) -> None:
        super().__init__(message)
        self.recheck_after = recheck_after


class PlanFileError(TraktPlanError):
    """A saved plan or journal file is unreadable, of another format, or tampered with."""


class AccountMismatchError(TraktPlanError):
    """The saved plan belongs to another Trakt account or API base."""


class UnsafePlanError(TraktPlanError):
    """The plan deletes more than ``max_deletions`` plays."""


class StalePlanError(TraktPlanError):
    """Plays the plan would delete changed since it was made."""


class JournalError(TraktPlanError):
    """The journal or its lock cannot be used; nothing further is sent."""


class Aborted(TraktPlanError):
    """The user declined, or there was no terminal to ask and no ``--yes``."""


class Interrupted(TraktPlanError):
    """Ctrl-C ended the command; what was sent is journaled, so the same command resumes."""

    exit_status = ExitStatus.INTERRUPTED

    def __init__(self, resume_with: str | None = None) -> None:
        hint = f" Resume with: {resume_with}" if resume_with else ""
        super().__init__(f"Interrupted.{hint}")
        self.resume_with = resume_with
