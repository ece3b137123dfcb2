"""Running configs as trees of sections, and the checks and inverses egovnet computes on them.

Huawei VRP, H3C Comware and Cisco IOS print sections as a header line followed by lines indented
by one space; that is all egovnet needs to verify a push and to undo it. ``syntax`` is the platform
(devices/platforms): its ``negate`` word ('undo', 'no') and the ``up`` command that leaves a view.
A line nested deeper (IOS: `police cir N` under `class class-default` under `policy-map X`) keeps its
indentation beyond the first level, so a rollback types it back in its own sub-mode.
"""

from __future__ import annotations

SECTION_PREFIXES = ("interface ", "vlan ", "acl ", "ip vpn-instance ", "policy-map ", "ip access-list ", "vrf ")
SKIP = ("#", "!", "return", "end", "Building configuration", "Current configuration", "Using ")  # "Using": IOS startup-config


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
            tree[current].append(raw[1:].rstrip())  # deeper lines keep their extra indentation
        else:
            current = raw.strip()
            tree.setdefault(current, [])
    return tree


def _walk(commands: list[str], syntax):
    """(section or None, line, negated) for each command; for a negation the line is what it removes.
    Exits and commits are skipped; an indented line belongs to the section opened above it."""
    negate, up = syntax.negate, syntax.up
    section = None
    for raw in commands:
        line = raw.strip()
        if line in (up, "commit", "return", "end"):
            section = None
            continue
        nested = raw.startswith(" ") and section is not None
        if not nested:
            section = line if line.startswith(SECTION_PREFIXES) else None
        indent = raw.rstrip()[1:len(raw) - len(raw.lstrip())] if nested else ""
        negated = line.startswith(negate + " ")
        yield (section if nested else None), indent + (line[len(negate) + 1:] if negated else line), negated


def sections_touched(commands: list[str], syntax):
    """(section or None, line, negated) for each command, as verification reads them."""
    return list(_walk(commands, syntax))


def _depth(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _with_parents(chosen: list[str], order: list[str]) -> list[str]:
    """``chosen`` lines in ``order``, each deeper line preceded by the lines it sits under (its sub-mode)."""
    keep = set()
    for i, line in enumerate(order):
        if line not in chosen:
            continue
        keep.add(i)
        depth = _depth(line)
        for j in range(i - 1, -1, -1):
            if depth == 0:
                break
            if _depth(order[j]) < depth:
                keep.add(j)
                depth = _depth(order[j])
    return [order[i] for i in sorted(keep)]


def intended(commands: list[str], syntax) -> dict[str, list[str]]:
    """The (section -> lines) a command list means to leave on the device; negations and exits skipped."""
    out: dict[str, list[str]] = {}
    for section, line, negated in _walk(commands, syntax):
        if negated:
            continue
        if section is None:
            out.setdefault(line, [])
        else:
            out[section].append(line)
    return out


def missing(running: dict[str, list[str]], want: dict[str, list[str]]) -> list[str]:
    """Intended lines that the running config does not show."""
    gaps = []
    for header, lines in want.items():
        if header not in running:
            gaps.append(header)
            continue
        gaps.extend(f"{header} / {line.strip()}" for line in lines if line not in running[header])
    return gaps


def same(a: dict[str, list[str]], b: dict[str, list[str]]) -> bool:
    """The same sections with the same lines, in any order within a section (devices print their own order)."""
    return a.keys() == b.keys() and all(sorted(a[h]) == sorted(b[h]) for h in a)


def leftover(running: dict[str, list[str]], commands: list[str], syntax) -> list[str]:
    """What the commands' negations ('undo shutdown', 'no vlan 10') should have removed but the device
    still shows: a shut port that should be up, a VLAN that should be gone."""
    undo_key = getattr(syntax, "undo_key", key)
    out: list[str] = []
    for section, target, negated in _walk(commands, syntax):
        if not negated:
            continue
        if section is None:
            out += [f"{target} (should be gone)"] if any(h == target or h.startswith(target + " ")
                                                         for h in running) else []
        else:
            out.extend(f"{section} / {have.strip()} (should be gone)" for have in running.get(section, [])
                       if have == target or have.startswith(target + " ") or undo_key(have.strip()) == target.strip())
    return out


def inverse(backup: dict[str, list[str]], commands: list[str], syntax) -> list[str]:
    """Commands that take the device from (backup + commands) back to backup, for the lines touched."""
    negate, up = syntax.negate, syntax.up
    undo_key = getattr(syntax, "undo_key", key)  # what follows 'undo'/'no' to remove a line (platform's rule)
    want = intended(commands, syntax)
    # undo of lines the commands removed ('undo shutdown' when the backup had 'shutdown')
    removed_lines: dict[str, list[str]] = {}
    gone = set()  # sections the commands removed as a whole ('undo vlan 10') come back first, in the backup's order
    for section, target, negated in _walk(commands, syntax):
        if negated and section is None:
            gone.add(target)
        elif negated:
            had = [l for l in backup.get(section, []) if l == target or l.startswith(target + " ")]
            removed_lines.setdefault(section, []).extend(had)
    out: list[str] = []
    for header, body in backup.items():
        if header in gone and header.startswith(SECTION_PREFIXES):
            out += [header, *(f" {line}" for line in body), up]
    drop_sections = []
    for header in list(want) + [h for h in removed_lines if h not in want]:
        before = backup.get(header)
        if before is None:
            # a top-level line that replaced one of the same key ('qos car X cir 100 mbps' over 'qos car X cir
            # 50 mbps') is restored by typing the old line again
            replaced = [h for h in backup if not want.get(header) and not h.startswith(SECTION_PREFIXES)
                        and not header.startswith(SECTION_PREFIXES) and key(h) == key(header)]
            if replaced:
                out += replaced[:1]
            else:
                drop_sections.append(header)
            continue
        negations, restore = [], set(removed_lines.get(header, []))
        for line in want.get(header, []):
            if line in before:
                continue
            same = [l for l in before if key(l) == key(line) and _depth(l) == _depth(line)]
            if same:
                restore.update(same)
            else:  # typed in its own sub-mode: the lines it sits under come first
                for parent in _with_parents([line], want[header])[:-1]:
                    negations.append(f" {parent}")
                negations.append(f" {' ' * _depth(line)}{negate} {undo_key(line.strip())}")
        # restored lines in the backup's order: 'port link-type access' before 'port default vlan 101'; a deeper
        # line after the lines it sits under ('class class-default' before '  police cir 50000000')
        body = negations + [f" {l}" for l in _with_parents(sorted(restore, key=before.index), before)]
        if body:
            out += [header, *body, up]
    # sections created by the push go last, and in reverse (the Vlanif before its VLAN)
    for header in reversed(drop_sections):
        out.append(f"{negate} {header if header.startswith(SECTION_PREFIXES) else undo_key(header)}")
    return out


def apply(commands: list[str], syntax) -> dict[str, list[str]]:
    """The (section -> lines) the commands leave when typed in order on a device that had none of them: a line
    replaces one of the same key in its section ('qos lr inbound cir 10000' over '... cir 50000'), a negation
    removes what it names. The intended state of a link, from the same templates a push renders."""
    undo_key = getattr(syntax, "undo_key", key)
    out: dict[str, list[str]] = {}
    for section, line, negated in _walk(commands, syntax):
        if section is None:
            if negated:
                for header in [h for h in out if h == line or h.startswith(line + " ")]:
                    del out[header]
            else:
                out.setdefault(line, [])
            continue
        lines = out.setdefault(section, [])
        if negated:
            lines[:] = [l for l in lines if not (l == line or l.startswith(line + " ")
                                                 or undo_key(l.strip()) == line.strip())]
        else:
            if _depth(line) == 0:  # a line in a sub-mode (IOS `police` under `class`) sits beside its like
                lines[:] = [l for l in lines if _depth(l) > 0 or key(l) != key(line)]
            if line not in lines:
                lines.append(line)
    return out


def with_parents(chosen: list[str], order: list[str]) -> list[str]:
    return _with_parents(chosen, order)
