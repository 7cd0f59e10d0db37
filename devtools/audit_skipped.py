"""The second look at what pip-audit could not audit, with no package of its own.

pip-audit asks PyPI for each pinned version's page. A registry mirror that serves no
per-version pages (like the one our machines and CI reach) leaves it blind: it skips
every package and still says "no known vulnerabilities". A project's own page carries
the advisories of its latest release, so a pin at the latest release is audited from it.
Any other pin is reported as not audited, and fails when a newer release of its own
series exists (Django and most others ship security fixes as such releases):
`make lock UPGRADE="--upgrade-package NAME"` moves to it.

Usage: python -m devtools.audit_skipped <hashed requirements> <pip-audit JSON report>
Exits 1 on any known vulnerability, on a pin behind its series, or without a report.
"""

import json
import re
import sys
import urllib.request

from packaging.version import Version

PROJECT_PAGE = "https://pypi.org/pypi/{name}/json"


def locked_pins(lock_text: str) -> dict[str, Version]:
    pins = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", lock_text, re.M)
    return {re.sub(r"[-_.]+", "-", name).lower(): Version(version) for name, version in pins}


def project_page(name: str) -> dict:
    with urllib.request.urlopen(PROJECT_PAGE.format(name=name), timeout=60) as response:  # noqa: S310
        return json.load(response)


def newer_in_series(project: dict, version: Version) -> list[Version]:
    return sorted(
        Version(release)
        for release, files in project["releases"].items()
        if files
        and not all(f["yanked"] for f in files)
        and not Version(release).is_prerelease
        and Version(release).release[:2] == version.release[:2]
        and Version(release) > version
    )


def main(lock_path: str, report_path: str) -> int:
    with open(lock_path) as lock, open(report_path) as report_file:
        pins, report = locked_pins(lock.read()), json.load(report_file)
    found, behind, unaudited = [], [], []
    for dep in report["dependencies"]:
        name = dep["name"]
        if "skip_reason" not in dep:
            found += [(name, dep["version"], v["id"], v["fix_versions"]) for v in dep["vulns"]]
            continue
        version = pins[name]
        project = project_page(name)
        if Version(project["info"]["version"]) == version:
            advisories = [v for v in project["vulnerabilities"] if not v.get("withdrawn")]
            found += [(name, str(version), v["id"], v["fixed_in"]) for v in advisories]
            continue
        newer = newer_in_series(project, version)
        if newer:
            behind.append((name, version, newer[-1]))
        else:
            unaudited.append((name, version))
    for name, version, vuln, fixed in found:
        print("VULNERABLE", name, version, vuln, "fixed in", ", ".join(fixed) or "no release")
    for name, version, latest in behind:
        print("NOT AUDITED", name, version, "and a newer release of its series exists:", latest)
    for name, version in unaudited:
        print("not audited", name, version, "(no advisories from this index; none newer)")
    audited = len(report["dependencies"]) - len(behind) - len(unaudited)
    print(
        f"{audited} of {len(report['dependencies'])} locked packages audited, "
        f"{len(found)} known vulnerabilities"
    )
    return 1 if found or behind else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
