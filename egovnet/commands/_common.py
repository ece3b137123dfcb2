"""Helpers every command uses: the service context from the global options, option parsers."""

from __future__ import annotations

import datetime as dt

import typer

from egovnet.output import target  # noqa: F401  (--json / --format / --out as one Target; a contradiction exits 2)

JSON_OPT = typer.Option(False, "--json", help="Print JSON for scripts.")
FORMAT_OPT = typer.Option(None, "--format", case_sensitive=False, show_default=False,
                          help="table (default), json, csv or xlsx; xlsx needs --out.")
OUT_OPT = typer.Option(None, "--out", metavar="FILE",
                       help="Write to FILE (.csv, .xlsx or .json; the suffix picks the format when --format is not "
                            "given). Required for xlsx; csv and json go to stdout without it.")


def services(ctx: typer.Context):
    from egovnet.services.context import Ctx

    return Ctx.from_settings(ctx.obj)


def date_opt(text: str | None, what: str) -> dt.date | None:
    if text is None:
        return None
    from egovnet.settings import parse_date

    return parse_date(text, what)


# ---- values the shell completes (Typer ``autocompletion``): run only when the shell asks, never at --help;
# what they read is read cheaply, and a problem completes nothing
APPLICATION_STATUSES = ("submitted", "approved", "rejected", "provisioning", "active", "closed", "released")
LINK_STATUSES = ("requested", "approved", "provisioning", "active", "closed_idle", "decommissioned", "cancelled")
CHANGE_STATUSES = ("submitted", "approved", "rejected", "applied", "withdrawn")


def _matching(values, incomplete: str) -> list[str]:
    return [v for v in values if v.startswith(incomplete or "")]


def complete_category(incomplete: str) -> list[str]:
    from egovnet.policy import CATEGORY_CODES  # Art. 9's categories, as the policy validates them

    return _matching(CATEGORY_CODES, incomplete)


def complete_device(ctx, incomplete: str) -> list[str]:
    """Device names of the inventory the command would use (--inventory, else EGOVNET_INVENTORY, else
    ./inventory)."""
    from egovnet.services.completion import device_names

    root = ctx.find_root() if ctx is not None else None
    given = (root.params.get("inventory") if root is not None else None)
    return _matching(device_names(given), incomplete)


def complete_application_status(incomplete: str) -> list[str]:
    return _matching(APPLICATION_STATUSES, incomplete)


def complete_link_status(incomplete: str) -> list[str]:
    return _matching(LINK_STATUSES, incomplete)


def complete_change_status(incomplete: str) -> list[str]:
    return _matching(CHANGE_STATUSES, incomplete)
