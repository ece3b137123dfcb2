"""The sample device lab in a process of its own, for tests that kill egovnet with SIGKILL.

Usage: python tests/lab_process.py INVENTORY_DIR
Writes inventory.yaml and known_hosts for free 127.0.0.1 ports, prints READY, then answers one line per
command on stdin: `dump` -> one JSON line {device: {running, saved, history}} (history: every line typed at
the device, in order); `fault DEVICE FIELD REGEX` sets one of the device's faults (hang_on, error_on, drop_on;
REGEX `-` clears it) and answers `ok`; `quit` (or end of input) stops the lab.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from egovnet.services.lab import sample_spec, start_lab, write_inventory  # noqa: E402


def main() -> None:
    spec = sample_spec(ports=4)
    lab = start_lab(spec)
    try:
        write_inventory(Path(sys.argv[1]), spec, lab, timeouts={"connect": 3, "auth": 3, "banner": 3, "read": 4})
        print("READY", flush=True)
        for line in sys.stdin:
            if line.strip() == "dump":
                data = {}
                for name, dev in lab.devices.items():
                    with dev.lock:
                        data[name] = {"running": dev.running_text(), "saved": dev.saved, "history": dev.commands()}
                print(json.dumps(data), flush=True)
            elif line.startswith("fault "):
                _, name, what, regex = line.split(maxsplit=3)
                setattr(lab.devices[name].faults, what, None if regex.strip() == "-" else regex.strip())
                print("ok", flush=True)
            elif line.strip() == "quit":
                break
    finally:
        lab.stop()


if __name__ == "__main__":
    main()
