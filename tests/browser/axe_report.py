"""What axe-core found on each page the journeys passed through, for the end of the run.

Every check is kept (page, width, rules passed, violations by impact), printed as a
table by the browser conftest's pytest_terminal_summary and written beside the
screenshots as axe-results.txt, so a reviewer sees the same figures as the test run.
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# Violations of these impacts fail a journey; minor and moderate ones are reported.
FAILING_IMPACTS = ("serious", "critical")
IMPACTS = ("minor", "moderate", "serious", "critical")

# Violations in Django's own admin markup, which this project does not write: axe rule
# -> the elements it may flag. Reported in the summary, not failing; anything else on
# an admin page (our own admin templates included) fails like any other page.
DJANGO_ADMIN_MARKUP = {
    # Date and time inputs of a split date-time widget, and the cells of a tabular
    # inline, are named by text and column headers rather than <label> elements.
    "label": ".datetime, .tabular td",
    # SelectFilter2.js (filter_horizontal) puts aria-label on a plain <span>.
    "aria-prohibited-attr": ".selector .search-label-icon",
}


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]
    # In markup the project does not write (Django's admin), listed in the conftest.
    known: bool = False

    def describe(self) -> str:
        where = ", ".join(self.targets[:5]) + (" …" if len(self.targets) > 5 else "")
        known = ", known: Django admin markup" if self.known else ""
        return f"{self.rule} ({self.impact}{known}): {self.help} [{where}]"


@dataclass(frozen=True)
class PageCheck:
    journey: str
    page: str
    url: str
    width: int
    passed_rules: int
    violations: tuple[Violation, ...] = field(default=())

    @property
    def failing(self) -> list[Violation]:
        return [v for v in self.violations if v.impact in FAILING_IMPACTS and not v.known]


CHECKS: list[PageCheck] = []


def page_check(
    *, journey: str, page: str, url: str, width: int, results: dict, known=lambda item: False
) -> PageCheck:
    """Reads axe.run()'s results into a PageCheck and keeps it for the summary.

    `known(violation)` says whether a violation lies wholly in markup listed as known.
    """
    check = PageCheck(
        journey=journey,
        page=page,
        url=url,
        width=width,
        passed_rules=len(results.get("passes", [])),
        violations=tuple(
            Violation(
                rule=item["id"],
                impact=item.get("impact") or "minor",
                help=item.get("help", ""),
                targets=tuple(
                    " ".join(str(part) for part in node.get("target", []))
                    for node in item.get("nodes", [])
                ),
                known=known(item),
            )
            for item in results.get("violations", [])
        ),
    )
    CHECKS.append(check)
    return check


def summary_lines(checks: list[PageCheck]) -> list[str]:
    """Per journey, one line per page: rules passed, violations by impact and their rules."""
    pages: dict[tuple[str, str], list[PageCheck]] = {}
    for check in checks:
        pages.setdefault((check.journey, check.page), []).append(check)
    widths = " and ".join(str(width) for width in sorted({check.width for check in checks}))
    lines = [
        f"{len(pages)} pages, each checked at {widths} px;"
        " violations counted minor/moderate/serious/critical",
    ]
    journey = None
    for (page_journey, page), runs in pages.items():
        if page_journey != journey:
            journey = page_journey
            lines.append(journey)
        counts: Counter[str] = Counter()
        rules = set()
        for run in runs:
            for violation in run.violations:
                counts[violation.impact] += 1
                known = ", known: Django admin" if violation.known else ""
                rules.add(f"{violation.rule} ({violation.impact}{known})")
        figures = "/".join(str(counts[impact]) for impact in IMPACTS)
        passed = min(run.passed_rules for run in runs)
        detail = f"  {', '.join(sorted(rules))}" if rules else ""
        lines.append(f"  {page:<28} {passed:>3} rules passed  {figures}{detail}")
    failing = sum(len(check.failing) for check in checks)
    lines.append(f"serious or critical violations that fail: {failing or 'none'}")
    return lines


def write(path: Path, checks: list[PageCheck]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = summary_lines(checks)
    for check in checks:
        for violation in check.violations:
            lines.append(f"{check.journey} / {check.page} @{check.width}: {violation.describe()}")
    path.write_text("\n".join(lines) + "\n")
