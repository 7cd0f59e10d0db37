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


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def describe(self) -> str:
        where = ", ".join(self.targets[:5]) + (" …" if len(self.targets) > 5 else "")
        return f"{self.rule} ({self.impact}): {self.help} [{where}]"


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
        return [v for v in self.violations if v.impact in FAILING_IMPACTS]


CHECKS: list[PageCheck] = []


def page_check(*, journey: str, page: str, url: str, width: int, results: dict) -> PageCheck:
    """Reads axe.run()'s results into a PageCheck and keeps it for the summary."""
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
                rules.add(f"{violation.rule} ({violation.impact})")
        figures = "/".join(str(counts[impact]) for impact in IMPACTS)
        passed = min(run.passed_rules for run in runs)
        detail = f"  {', '.join(sorted(rules))}" if rules else ""
        lines.append(f"  {page:<28} {passed:>3} rules passed  {figures}{detail}")
    failing = sum(len(check.failing) for check in checks)
    lines.append(f"serious or critical violations: {failing or 'none'}")
    return lines


def write(path: Path, checks: list[PageCheck]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = summary_lines(checks)
    for check in checks:
        for violation in check.violations:
            lines.append(f"{check.journey} / {check.page} @{check.width}: {violation.describe()}")
    path.write_text("\n".join(lines) + "\n")
