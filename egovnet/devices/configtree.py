"""Running configs as trees of sections, and the checks and inverses egovnet computes on them.

Huawei VRP, H3C Comware and Cisco IOS print sections as a header line followed by lines indented
by one space; that is all egovnet needs to verify a push and to undo it.
"""

from __future__ import annotations

NEGATE = {"huawei": "undo", "huawei_vrpv8": "undo", "hp_comware": "undo", "cisco_ios": "no"}
UP = {"huawei": "quit", "huawei_vrpv8": "quit", "hp_comware": "quit", "cisco_ios": "exit"}
SECTION_PREFIXES = ("interface ", "vlan ", "acl ", "ip vpn-instance ", "policy-map ", "ip access-list ", "vrf ")
SKIP = ("#", "!", "return", "end", "Building configuration", "Current configuration")


def key(line: str) -> str:
    """What identifies a config line for replacement: 'ip address 10.0.0.1 ...' -> 'ip address'."""
    tokens = line.split()
    if not tokens:
        return line
    if tokens[0] in ("description", "name"):
        return tokens[0]
    if tokens[0] == "rule" and len(tokens) > 1:
        return " ".join(tokens[:2])
    out = []
    for tok in tokens:
        if tok[0].isdigit():
            break
        out.append(tok)
    return " ".join(out) or line


def parse(text: str) -> dict[str, list[str]]:
    """{top-level line: [its indented lines]} in device order."""
    tree: dict[str, list[str]] = {}
    current = None
    for raw in text.replace("\r", "").split("\n"):
        if not raw.strip() or raw.strip().startswith(SKIP):
            continue
        if raw.startswith(" ") and current is not None:
            tree[current].append(raw.strip())
        else:
            current = raw.strip()
            tree.setdefault(current, [])
    return tree


def intended(commands: list[str], platform: str) -> dict[str, list[str]]:
    """The (section -> lines) a command list means to leave on the device; negations and exits skipped."""
    negate, up = NEGATE.get(platform, "no"), UP.get(platform, "exit")
    out: dict[str, list[str]] = {}
    section = None
    for raw in commands:
        line = raw.strip()
        if line in (up, "commit", "return", "end"):
            section = None
            continue
        if line.startswith(negate + " "):
            continue
        if raw.startswith(" ") and section is not None:
            out[section].append(line)
        elif line.startswith(SECTION_PREFIXES):
            section = line
            out.setdefault(section, [])
        else:
            section = None
            out.setdefault(line, [])
    return out


def missing(running: dict[str, list[str]], want: dict[str, list[str]]) -> list[str]:
    """Intended lines that the running config does not show."""
    gaps = []
    for header, lines in want.items():
        if header not in running:
            gaps.append(header)
            continue
        gaps.extend(f"{header} / {line}" for line in lines if line not in running[header])
    return gaps


def removed(running: dict[str, list[str]], gone: list[str]) -> list[str]:
    """Sections that should be gone but are still there."""
    return [header for header in gone if header in running]


def inverse(backup: dict[str, list[str]], commands: list[str], platform: str) -> list[str]:
    """Commands that take the device from (backup + commands) back to backup, for the lines touched."""
    negate, up = NEGATE[platform], UP[platform]
    want = intended(commands, platform)
    # undo of lines the commands removed ('undo shutdown' when the backup had 'shutdown')
    removed_lines: dict[str, list[str]] = {}
    section = None
    for raw in commands:
        line = raw.strip()
        if line.startswith(SECTION_PREFIXES) and not raw.startswith(" "):
            section = line
        elif line == up:
            section = None
        elif line.startswith(negate + " ") and section is not None:
            target = line[len(negate) + 1:]
            had = [l for l in backup.get(section, []) if l == target or l.startswith(target + " ")]
            removed_lines.setdefault(section, []).extend(had)
    out: list[str] = []
    drop_sections = []
    for header in list(want) + [h for h in removed_lines if h not in want]:
        before = backup.get(header)
        if before is None:
            drop_sections.append(header)
            continue
        body = []
        for line in want.get(header, []):
            if line in before:
                continue
            same = [l for l in before if key(l) == key(line)]
            body.extend(f" {l}" for l in same) if same else body.append(f" {negate} {key(line)}")
        body.extend(f" {l}" for l in removed_lines.get(header, []))
        if body:
            out += [header, *body, up]
    # sections created by the push go last, and in reverse (the Vlanif before its VLAN)
    for header in reversed(drop_sections):
        out.append(f"{negate} {header}")
    return out
