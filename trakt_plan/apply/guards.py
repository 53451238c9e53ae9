"""Refusals before anything is sent: another account, a journal that is not this plan's.

Pure decisions over the saved plan, the account Trakt reports and the journals' states;
each raises the error the CLI shows, saying that nothing was sent.
"""

from __future__ import annotations

from pathlib import Path

from trakt_plan.apply.journal import JournalState
from trakt_plan.apply.records import JournalAccount
from trakt_plan.errors import AccountMismatchError, JournalError, UnsafePlanError
from trakt_plan.planfile import SavedPlan, unrestorable_ids
from trakt_plan.trakt.models import UserSettings

__all__ = [
    "check_apply_account",
    "check_apply_journal",
    "check_restorable",
    "check_undo_account",
    "same_api_base",
]


def same_api_base(left: str, right: str) -> bool:
    """Whether two API bases name the same server (ignoring case and a trailing slash)."""
    return left.strip().rstrip("/").lower() == right.strip().rstrip("/").lower()


def check_apply_account(saved: SavedPlan, settings: UserSettings, api_base: str) -> None:
    """Refuse a plan made for another user or another API base."""
    username = settings.user.username
    planned = saved.account
    if username.casefold() != planned.username.casefold():
        raise AccountMismatchError(
            f"this plan was made for the Trakt user {planned.username!r}, but the login is "
            f"{username!r}; nothing was sent. Log in as {planned.username!r}, or plan again "
            "with this account."
        )
    if not same_api_base(api_base, planned.api_base):
        raise AccountMismatchError(
            f"this plan was made against {planned.api_base}, but this run talks to {api_base}; "
            "nothing was sent. Use the same --api-base (or --sandbox) as for `plan`, or plan "
            "again against this server."
        )


def check_undo_account(
    account: JournalAccount, settings: UserSettings, api_base: str | None, path: Path
) -> None:
    """Refuse to undo, as another user or against another API base, what an apply removed."""
    username = settings.user.username
    if username.casefold() != account.username.casefold():
        raise AccountMismatchError(
            f"the apply in {path} removed plays of the Trakt user {account.username!r}, but "
            f"the login is {username!r}; nothing was sent. Log in as {account.username!r} to "
            "undo it."
        )
    if api_base is not None and not same_api_base(api_base, account.api_base):
        raise AccountMismatchError(
            f"the apply in {path} ran against {account.api_base}, but this run talks to "
            f"{api_base}; nothing was sent. Use the same --api-base (or --sandbox) as for the "
            "apply."
        )


def check_apply_journal(saved: SavedPlan, state: JournalState, undone: JournalState) -> None:
    """Refuse a journal of another plan, an undo journal, or a plan that was undone."""
    if state.exists:
        if state.plan_id != saved.plan_id:
            raise JournalError(
                f"{state.path} belongs to another plan (plan_id {str(state.plan_id)[:12]}…, "
                f"this plan is {saved.plan_id[:12]}…); nothing was sent. Was the plan file "
                "replaced after an apply? Move the old journal away only if you no longer "
                "need it to undo that apply."
            )
        if state.kind != "apply":
            raise JournalError(f"{state.path} is an undo journal, not an apply journal.")
    _check_intents(saved, state)
    if undone.exists:
        raise JournalError(
            f"this plan was undone ({undone.path}): the restored plays have new history ids, "
            "so this plan no longer names them. Run plan again to remove them again; nothing "
            "was sent."
        )


def _check_intents(saved: SavedPlan, state: JournalState) -> None:
    """Refuse a journal whose intents name ids or plays that are not this plan's deletions.

    A re-sent batch goes out as its intent says, so an intent is trusted only when every id
    and every play in it is one of the plan's deletions, exactly as planned.
    """
    planned = {d.history_id: d for d in saved.deletions}
    for batch, intent in sorted(state.intents.items()):
        play_ids = tuple(play.history_id for play in intent.plays)
        foreign = [i for i in intent.ids if i not in planned]
        altered = [
            play.history_id
            for play in intent.plays
            if play.history_id in planned and play != planned[play.history_id]
        ]
        if foreign or altered or play_ids != intent.ids:
            where = f"{state.path}:{state.intent_lines.get(batch, '?')}"
            what = (
                f"history ids that are not in this plan ({', '.join(map(str, foreign[:5]))})"
                if foreign
                else "plays that differ from the plan's deletions"
            )
            raise JournalError(
                f"{where}: batch {batch} of the journal names {what}; nothing was sent. "
                "An apply only ever sends the plan's own deletions, so the journal was edited "
                "or mixed up with another one: restore it from a backup, or move it away only "
                "if you are sure this plan was never applied."
            )


def check_restorable(saved: SavedPlan, *, allow_unrestorable: bool) -> None:
    """Refuse plays undo could never add back (no media trakt id) unless explicitly allowed."""
    ids = unrestorable_ids(saved.deletions)
    if ids and not allow_unrestorable:
        shown = ", ".join(map(str, ids[:5])) + (", …" if len(ids) > 5 else "")
        raise UnsafePlanError(
            f"{len(ids)} planned play{'' if len(ids) == 1 else 's'} ({shown}) came from Trakt "
            "without an episode or movie trakt id, so undo could never add them back; nothing "
            "was sent. Run apply with --allow-unrestorable to remove them anyway, or leave "
            "them out of the plan (for example with `unless: {history_ids: [...]}`)."
        )
