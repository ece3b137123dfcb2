"""Every walkthrough of the README, run as written, in order, in a fresh home (README, "The README is tested").

The convention, as the README states it:
- a ```sh block is run; any other fence (```console, ```cron, ```sql, ```yaml ...) is shown only;
- every command must exit 0, unless its line ends with a comment that starts `# exit N`: then it must exit N;
  a block with a loop, a condition or a here-document runs whole, as one command that must exit 0;
- `egovnet lab serve ...` is started in the background (the README's "in one shell"); the test waits for it
  to say it is ready and stops it at the end;
- `pip install ...` is satisfied by the environment the test runs in (egovnet is installed already).

The blocks run in one bash process, so what one exports the next sees. The working folder is a copy of the
repository's policies.yaml, inventory/ and examples/; HOME is a folder of the test's own, so `~` stays inside.
The shipped inventory/lab serves on fixed ports 8301-8304: run this test alone with the lab-serve tests
(`flock /work/wt/netns.lock`, as tests/test_lab_serve.py).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^```(\S*)")
EXPECT = re.compile(r"#\s*exit (\d+)\b")
READY = "Ctrl-C stops the lab"
COMPOUND = re.compile(r"<<|^\s*(for|while|until|if|case)\b|\b(do|then)\s*$|[{(]\s*$")


def blocks(text: str) -> list[tuple[int, list[tuple[int, str]]]]:
    """The README's ```sh blocks: (line of the fence, [(line, logical command)]), continuation lines joined."""
    out, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        lang, start, body = m.group(1), i + 1, []
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            body.append((i + 1, lines[i]))
            i += 1
        i += 1
        if lang != "sh":
            continue
        if any(COMPOUND.search(line) for _, line in body):
            # a loop, a condition or a here-document: the block is one command, run whole
            out.append((start, [(start + 1, "\n".join(line for _, line in body))]))
            continue
        commands, pending, first = [], "", 0
        for no, line in body:
            if not pending:
                first = no
            if line.rstrip().endswith("\\"):
                pending += line.rstrip()[:-1] + " "
                continue
            command = pending + line
            pending = ""
            if command.strip() and not command.strip().startswith("#"):
                commands.append((first, command.strip()))
        out.append((start, commands))
    return out


def expected_exit(command: str) -> int:
    """`# exit N` in the command's trailing comment (the first unquoted #), else 0."""
    try:
        lexer = shlex.shlex(command, posix=True, punctuation_chars=False)
        lexer.whitespace_split, lexer.commenters = True, ""
        words = list(lexer)
    except ValueError:
        words = command.split()
    comment = " ".join(words[words.index("#"):]) if "#" in words else ""
    m = EXPECT.match(comment) if comment else None
    return int(m.group(1)) if m else 0


def script(text: str, labs: Path) -> str:
    """One bash script: each command followed by the check of its exit status."""
    out = ["set -u", f"labs={shlex.quote(str(labs))}", "n=0"]
    for fence, commands in blocks(text):
        out.append(f"echo \"--- README.md:{fence} at $EPOCHREALTIME\" >&2")
        for line, command in commands:
            where = f"README.md:{line}"
            if command.startswith("egovnet lab serve"):
                # started in the background; ready once it prints its inventory line
                out.append(f"n=$((n+1)); setsid {command.split('#')[0]} >$labs/lab$n.out 2>&1 & echo $! >>$labs/pids")
                out.append(f"for i in $(seq 600); do grep -q {shlex.quote(READY)} $labs/lab$n.out && break; "
                           f"sleep 0.1; done; grep -q {shlex.quote(READY)} $labs/lab$n.out || "
                           f"{{ cat $labs/lab$n.out >&2; echo '{where}: the lab did not start' >&2; exit 97; }}")
                continue
            want = expected_exit(command)
            out.append(f"echo '$ {where}' >&2")
            out.append(command)
            out.append(f"rc=$?; if [ $rc -ne {want} ]; then echo '{where}: exit '$rc', the README announces {want}: '"
                       f"{shlex.quote(command[:120])} >&2; exit 97; fi")
    return "\n".join(out) + "\n"


def _stop(pids_file: Path) -> None:
    if not pids_file.exists():
        return
    pids = [int(p) for p in pids_file.read_text().split()]
    for pid in pids:
        try:
            os.killpg(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 10
    for pid in pids:
        while time.monotonic() < deadline:
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_blocks_and_announced_exits_are_parsed():
    text = ("```sh\negovnet a \\\n    --b   # exit 3\negovnet c  # not 'exit 3'\n# only a comment\n```\n"
            "```console\negovnet d\n```\n")
    assert blocks(text) == [(1, [(2, "egovnet a      --b   # exit 3"), (4, "egovnet c  # not 'exit 3'")])]
    assert [expected_exit(c) for _, c in blocks(text)[0][1]] == [3, 0]
    assert expected_exit("egovnet apply --purpose '# exit 3'") == 0
    loop = "```sh\nfor n in 1 2; do\n  egovnet review show $n\ndone\n```\n"
    assert blocks(loop) == [(1, [(2, "for n in 1 2; do\n  egovnet review show $n\ndone")])]


@pytest.mark.sqlite_only("the walkthroughs take over a minute; they build their own SQLite home as a reader does")
def test_every_readme_walkthrough_runs_as_written(tmp_path):
    work, home, labs, bin_ = tmp_path / "work", tmp_path / "user", tmp_path / "labs", tmp_path / "bin"
    for d in (work, home, labs, bin_):
        d.mkdir()
    shutil.copy(REPO / "policies.yaml", work / "policies.yaml")
    shutil.copytree(REPO / "examples", work / "examples")
    shutil.copytree(REPO / "inventory", work / "inventory", ignore=shutil.ignore_patterns("known_hosts"))
    (bin_ / "pip").write_text("#!/bin/sh\necho \"pip $*: egovnet is installed in the test's environment\" >&2\n")
    (bin_ / "pip").chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EGOVNET_", "XDG_"))}
    env.update(HOME=str(home), EGOVNET_HOME=str(tmp_path / "egovnet-home"), COLUMNS="200", NO_COLOR="1",
               PATH=f"{bin_}:{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}")
    (tmp_path / "readme.sh").write_text(script((REPO / "README.md").read_text(encoding="utf-8"), labs))
    started, started_epoch = time.monotonic(), time.time()
    try:
        proc = subprocess.run(["bash", str(tmp_path / "readme.sh")], cwd=work, env=env, capture_output=True,
                              text=True, timeout=900, start_new_session=True)
    finally:
        _stop(labs / "pids")
    took = time.monotonic() - started
    marks = [(m.group(1), float(m.group(2))) for m in re.finditer(r"^--- (README\.md:\d+) at ([\d.]+)$", proc.stderr, re.M)]
    ends = [t for _, t in marks[1:]] + [started_epoch + took]
    print(f"README walkthroughs: {took:.1f} s; blocks: " +
          ", ".join(f"{where} {end - t:.1f} s" for (where, t), end in zip(marks, ends)))
    assert proc.returncode == 0, proc.stderr[-6000:] + "\n--- stdout\n" + proc.stdout[-3000:]
