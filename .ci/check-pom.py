"""Checks a published POM as Maven Central reads it: name, description, URL, licences, SCM and developers, each in
the POM itself or in a parent of this project's (never in Spring Boot's, whose URL, SCM and developers are Spring's).

Usage: check-pom.py POM GROUP_DIR (the release's io/github/grpcgraceful folder, where this project's parents are).
"""
import glob
import sys
import xml.etree.ElementTree as ET

NS = {"m": "http://maven.apache.org/POM/4.0.0"}
REQUIRED = ["name", "description", "url", "licenses", "scm", "developers"]


def chain(pom, group_dir):
    """The POM and its parents that this project published, nearest first."""
    while pom:
        root = ET.parse(pom).getroot()
        yield root
        parent = root.find("m:parent", NS)
        if parent is None or parent.findtext("m:groupId", namespaces=NS) != "io.github.grpcgraceful":
            return
        artifact = parent.findtext("m:artifactId", namespaces=NS)
        found = glob.glob(f"{group_dir}/{artifact}/*/{artifact}-*.pom")
        pom = found[0] if found else None


def main(pom, group_dir):
    poms = list(chain(pom, group_dir))
    missing = [e for e in REQUIRED if not any(p.find(f"m:{e}", NS) is not None for p in poms)]
    spring = [e for e in ("url", "scm", "developers") for p in poms
              if "spring" in ET.tostring(p.find(f"m:{e}", NS) or ET.Element("x"), encoding="unicode").lower()]
    for element in missing:
        print(f"{pom}: no <{element}> in it or its parents", file=sys.stderr)
    for element in spring:
        print(f"{pom}: <{element}> names Spring's project", file=sys.stderr)
    return 1 if missing or spring else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
