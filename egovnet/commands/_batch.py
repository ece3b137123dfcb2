"""How a batch report reads: every problem with its line and column on stderr, a summary, JSON for scripts."""

from __future__ import annotations

from pathlib import Path

from egovnet import output


def run_batch(label: str, call, as_json: bool, noun: str) -> dict:
    """Run a batch service with a progress bar (terminal only); print every problem, then the error or summary."""
    from egovnet.services.onboarding import BatchRejected, check_partial

    with output.progress(label) as (advance, _total):
        try:
            report = call(advance)
        except BatchRejected as exc:
            _show(exc.report.as_dict(), as_json)
            raise
    _show(report, as_json)
    if not as_json:
        _summary(report, noun)
    check_partial(report)
    return report


def _show(report: dict, as_json: bool) -> None:
    if as_json:
        output.emit_json(report)  # problems included: a script sees every one
        return
    name = Path(report["source"]).name
    for p in report["problems"]:
        output.message(f"{name}:{p['line']}: {p['column']}: {p['reason']}")


def _summary(report: dict, noun: str) -> None:
    counts = ", ".join(f"{report[k]} {k}" for k in ("created", "updated", "unchanged", "rejected"))
    done = "dry run, nothing written" if report["dry_run"] else \
        f"import batch {report['batch']}" if report.get("batch") is not None else "written"  # usage has no batch
    output.message(f"{report['source']} ({report['encoding']}, {report['rows']} rows): {noun}: {counts} ({done})")
    if report.get("previous_batch"):
        output.message(f"this file was imported before as batch {report['previous_batch']}; nothing was duplicated")
    if report.get("created_departments"):
        output.message("departments created: " + ", ".join(report["created_departments"]))
    for d in report.get("budget_defaults", ()):
        output.message(f"line {d['line']}: unit {d['name']}: no budget column value; "
                       f"{'a district budget unit' if d['budget_unit'] else 'not a budget unit (pays its own fees)'} "
                       f"by default for category {d['category']} (unit_categories.{d['category']}.budget_default, "
                       "Art. 25)")
    if report.get("rejects_file"):
        output.message(f"rejected rows and their reasons: {report['rejects_file']}")
