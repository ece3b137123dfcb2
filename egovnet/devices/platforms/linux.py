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
    # a step for a part already gone ('tc qdisc del' with no qdisc) fails alone; verification decides
    step_by_step = frozenset({"close"})
    max_line, max_description = 1000, 64
    # a value is one word with no quoting or separator characters; the quoting, braces and '!=' of the nft
    # syntax may come from a template only
    value_re = re.compile(r"[A-Za-z0-9._:/,@=+\-]*")
    command_re = re.compile(r"[A-Za-z0-9 ._:/,@=+\-{}\"';!]*")
    counter_family = "linux"

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


    # ---- preconditions (Art. 3) ----
    # A Linux edge router has no VPN instance or shared ACL: each link brings its own nftables table and the
    # unit's traffic goes to the extranet core through the main routing table. What must hold before the first
    # push is that the tools the templates use work for this login (nft needs CAP_NET_ADMIN: "Operation not
    # permitted" otherwise, nft(8)), and that the core prefix is routable: a unit whose only allowed
    # destination has no route would be isolated from everything, the core included (ip-route(8) "route get").
    def precheck_commands(self, device) -> list[str]:
        import ipaddress

        core = ipaddress.ip_network(device.core_prefix)
        probe = core.network_address + 1 if core.num_addresses > 1 else core.network_address
        return [f"ip -o route get {probe}"]

    def preconditions(self, running: str, device, shown: dict[str, str] | None = None) -> list[str]:
        problems = []
        for tool in ("ip", "nft", "tc"):
            if re.search(rf"(?m)(^|: ){tool}: (command )?not found", running):
                problems.append(f"'{tool}' is not installed on the router (the link templates need it)")
        if re.search(r"(?mi)^(Error: )?.*(operation not permitted|permission denied)", running):
            problems.append(f"user {device.username!r} may not read nftables or tc state (nft needs CAP_NET_ADMIN: "
                            "log in as root or a user with that capability)")
        for command in self.precheck_commands(device):
            answer = (shown or {}).get(command, "")
            if " dev " not in f" {answer}" or re.search(r"(?i)unreachable|RTNETLINK answers|^Error", answer.strip()):
                problems.append(f"the extranet core {device.core_prefix} is not routable from the router "
                                f"('{command}' answers {' '.join(answer.split())[:80]!r})")
        return problems

    def privilege(self, driver) -> list[str]:
        """Linux has no configuration mode: the login must be able to change links, rules and qdiscs."""
        answer = driver.show("id -u; nft list tables >/dev/null && echo nft-ok")
        if "nft-ok" not in answer:
            return [f"cannot change nftables as this user: {' '.join(answer.split())[:120]!r}"]
        return []
