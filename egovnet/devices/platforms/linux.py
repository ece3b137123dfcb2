"""A Linux edge router: the unit's gateway address on its interface, nftables isolation in a table of the
link's own, tc for the bandwidth. Commands go through a shell, so values are single words."""

from __future__ import annotations

import re

from egovnet.devices.platforms.base import OPPOSITE, Platform, Render


class Linux(Platform):
    name = "linux"
    label = "Linux"
    netmiko_type = "linux"
    templates = ("linux",)
    show_config = "ip -o addr show; nft list ruleset; tc qdisc show"
    error_pattern = r"(?m)^(Error:|RTNETLINK answers|Cannot find device|.*: command not found).*$"
    config_mode = False
    saves = False
    # no saved config: ip/nft/tc state lives in the kernel; what survives a reboot is the router's own boot
    # scripts, outside egovnet. saved_config_command stays "" and a resumed push never saves.
    # a step for a part already gone ('tc qdisc del' with no qdisc) fails alone; verification decides
    step_by_step = frozenset({"close"})
    max_line, max_description = 1000, 64
    # a value is one word with no quoting or separator characters; the quoting, braces and '!=' of the nft
    # syntax may come from a template only
    value_re = re.compile(r"[A-Za-z0-9._:/,@=+\-]*")
    command_re = re.compile(r"[A-Za-z0-9 ._:/,@=+\-{}\"';!]*")
    counters_template = "cat /sys/class/net/{port}/statistics/rx_bytes /sys/class/net/{port}/statistics/tx_bytes"

    @staticmethod
    def parts(running: str, c: dict) -> dict[str, bool]:
        """Which of a link's four parts the router shows: address, nftables table, isolation rule, tbf qdisc."""
        lines = running.splitlines()
        want = {f"address {c['gateway']}/{c['prefix']} on {c['port']}":
                lambda ln: f" {c['port']} " in ln and f"inet {c['gateway']}/{c['prefix']} " in ln,
                f"nftables table inet egov_l{c['link_id']}":
                lambda ln: ln.strip() == f"table inet egov_l{c['link_id']} {{",
                f"isolation rule on {c['port']}":
                lambda ln: f'iifname "{c["port"]}" ip daddr != {c["core_prefix"]} drop' in ln,
                f"tbf qdisc on {c['port']}": lambda ln: ln.startswith("qdisc tbf ") and f" dev {c['port']} root " in ln}
        return {name: any(found(ln) for ln in lines) for name, found in want.items()}

    def gaps(self, running: str, job, verifying: bool = False) -> list[str]:
        if job.action == "open":
            return [name for name, there in self.parts(running, job.context).items() if not there]
        if job.action == "close":
            return [f"{name} (should be gone)" for name, there in self.parts(running, job.context).items() if there]
        # link state and rates are not in the address/rule/qdisc listing: always send (the steps are
        # idempotent) and let the shell's error pattern decide
        return [] if verifying else [f"{job.action} {job.context['port']}"]

    def undo(self, before: str, current: str, job, render: Render) -> list[str]:
        """The opposite templates, newest action first; a rate goes back to the link's previous rate."""
        out: list[str] = []
        for action in reversed(job.actions):
            out += render(OPPOSITE[action], job.previous or job.context)
        return out

    @staticmethod
    def state(text: str) -> list[str]:
        """Addresses, rules and qdiscs; a default qdisc (noop/noqueue) counts as none."""
        return [ln.rstrip() for ln in text.splitlines()
                if ln.strip() and not re.match(r"qdisc (noop|noqueue) 0: dev \S+ root", ln)]

    def same(self, a: str, b: str) -> bool:
        return self.state(a) == self.state(b)

    def parse_counters(self, text: str, port: str) -> tuple[int, int]:
        nums = text.split()
        if len(nums) == 2 and all(n.isdigit() for n in nums):
            return int(nums[0]), int(nums[1])
        from egovnet.errors import EgovnetError

        raise EgovnetError(f"cannot read the byte counters from the device's answer: {text.strip()[:120]!r}")
