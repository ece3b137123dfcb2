"""A Linux edge router: the unit's gateway address on its interface, nftables isolation in a table of the
link's own (chains on the forward and input hooks, IPv4 and IPv6), tc for the bandwidth both ways (tbf on the port toward
the unit, an IFB device of the link's own with its tbf for traffic from the unit). Commands go through a
shell, so values are single words."""

from __future__ import annotations

import re

from egovnet.devices.platforms.base import OPPOSITE, Platform, Render


class Linux(Platform):
    name = "linux"
    label = "Linux"
    netmiko_type = "linux"
    templates = ("linux",)
    # addresses, IFB devices, the nftables ruleset, qdiscs, and each port's ingress filters under a
    # "filters <port>" line (tc prints a filter without its device)
    show_config = ("ip -o addr show; ip -o link show type ifb; nft list ruleset; tc qdisc show; "
                   "for d in $(ls /sys/class/net); do echo \"filters $d\"; tc filter show dev $d ingress; done")
    # "RTNETLINK answers: File exists" means the part is already there (`ip link add` of the link's IFB device
    # when an open repairs a link missing another part): not a failure; verification checks every part anyway
    error_pattern = r"(?m)^(Error:|RTNETLINK answers(?!: File exists\r?$)|Cannot find device|.*: command not found).*$"
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
    counter_family = "linux"

    @staticmethod
    def ruleset(running: str) -> dict[tuple[str, str], list[str]]:
        """The nftables rules as ``{(table, chain): [hook line, rule, ...]}`` from ``nft list ruleset``."""
        out: dict[tuple[str, str], list[str]] = {}
        table = chain = None
        for ln in running.splitlines():
            text = ln.strip()
            if m := re.fullmatch(r"table (\S+ \S+) \{", text):
                table, chain = m.group(1), None
            elif table and (m := re.fullmatch(r"chain (\S+) \{", text)):
                chain = m.group(1)
                out[(table, chain)] = []
            elif text == "}":
                table, chain = (table, None) if chain else (None, None)
            elif table and chain and text:
                out[(table, chain)].append(text)
        return out

    @staticmethod
    def filters(running: str) -> dict[str, str]:
        """Each port's ingress filters, from the ``filters <port>`` blocks of the show command."""
        out: dict[str, list[str]] = {}
        port = None
        for ln in running.splitlines():
            if m := re.fullmatch(r"filters (\S+)", ln.strip()):
                port = m.group(1)
                out[port] = []
            elif port is not None and ln.startswith(("filter ", " ", "\t")):
                out[port].append(ln.strip())
            elif ln.strip():
                port = None
        return {k: "\n".join(v) for k, v in out.items()}

    @staticmethod
    def parts(running: str, c: dict) -> dict[str, bool]:
        """Which parts of a link the router shows, each checked on its own line (in its own table and chain):

        the gateway address; the link's nftables table with forward-hook chains that let the unit reach the
        extranet core only, from its own subnet only (from_unit), let only the core reach the unit (to_unit),
        and drop IPv6 both ways, and an input chain that drops everything the unit sends to the router itself
        but a ping to its gateway and replies to the router's own connections; the tbf toward the unit; and,
        for traffic from the unit, the ingress qdisc whose filter redirects it to the link's IFB device with
        its own tbf."""
        port, ifb, table = c["port"], f"egov_l{c['link_id']}", f"inet egov_l{c['link_id']}"
        lines = running.splitlines()
        rules = Linux.ruleset(running)

        def rule(chain: str, text: str):
            """The rule in the link's table and chain, whatever its comment (a close carries no application's)."""
            hook = f"type filter hook {'input' if chain == 'input' else 'forward'} priority filter; policy accept;"
            found = rules.get((table, chain), [])
            bare = [re.sub(r' comment "[^"]*"$', "", ln) for ln in found[1:]]
            return lambda: bool(found) and found[0] == hook and text in bare

        def line(test):
            return lambda: any(test(ln) for ln in lines)

        i, o = f'iifname "{port}"', f'oifname "{port}"'
        want = {
            f"address {c['gateway']}/{c['prefix']} on {port}":
                line(lambda ln: f" {port} " in ln and f"inet {c['gateway']}/{c['prefix']} " in ln),
            f"nftables table {table}": line(lambda ln: ln.strip() == f"table {table} {{"),
            f"isolation rule on {port}":
                rule("from_unit", f"{i} ip daddr != {c['core_prefix']} drop"),
            f"source address rule on {port}": rule("from_unit", f"{i} ip saddr != {c['subnet']} drop"),
            f"inbound rule on {port}": rule("to_unit", f"{o} ip saddr != {c['core_prefix']} drop"),
            f"IPv6 rule from {port}": rule("from_unit", f"{i} meta nfproto ipv6 drop"),
            f"IPv6 rule to {port}": rule("to_unit", f"{o} meta nfproto ipv6 drop"),
            f"gateway ping rule on {port}":
                rule("input", f"{i} ip daddr {c['gateway']} icmp type echo-request accept"),
            f"reply rule on {port}": rule("input", f"{i} ct state established,related accept"),
            f"router protection rule on {port}": rule("input", f"{i} drop"),
            f"tbf qdisc on {port}": line(lambda ln: ln.startswith("qdisc tbf ") and f" dev {port} root " in ln),
            f"ingress qdisc on {port}":
                line(lambda ln: ln.startswith("qdisc ingress ffff: ") and f" dev {port} parent " in ln),
            f"redirect from {port} to {ifb}":
                lambda: f"mirred (Egress Redirect to device {ifb})" in Linux.filters(running).get(port, ""),
            f"IFB device {ifb}": line(lambda ln: re.match(rf"\d+: {ifb}: ", ln) is not None and "link/ether" in ln),
            f"tbf qdisc on {ifb}": line(lambda ln: ln.startswith("qdisc tbf ") and f" dev {ifb} root " in ln),
        }
        return {name: found() for name, found in want.items()}

    @staticmethod
    def cut(running: str, c: dict) -> dict[str, bool]:
        """The parts of an Office disconnect (Art. 23, disconnect.j2) the router shows: the two cut chains of the
        link's table on their hooks, with their drop rules for the unit's port."""
        port, table = c["port"], f"inet egov_l{c['link_id']}"
        rules = Linux.ruleset(running)

        def rule(chain: str, hook: str, text: str) -> bool:
            found = rules.get((table, chain), [])
            return bool(found) and f"hook {hook} " in found[0] and text in found[1:]
        return {f"cut of traffic from {port}": rule("cut_forward", "forward", f'iifname "{port}" drop'),
                f"cut of traffic to {port}": rule("cut_forward", "forward", f'oifname "{port}" drop'),
                f"cut of {port} toward the router": rule("cut_input", "input", f'iifname "{port}" drop')}

    @staticmethod
    def rates(running: str, c: dict) -> dict[str, int | None]:
        """The tbf rate, bit/s, toward the unit (on the port) and from it (on the link's IFB device)."""
        units = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9}
        out: dict[str, int | None] = {}
        for dev in (c["port"], f"egov_l{c['link_id']}"):
            out[dev] = None
            for ln in running.splitlines():
                m = re.match(rf"qdisc tbf \S+ dev {re.escape(dev)} root .*?\brate (\d+(?:\.\d+)?)([KMG]?)bit ", ln)
                if m:
                    out[dev] = round(float(m.group(1)) * units[m.group(2)])
        return out

    def gaps(self, running: str, job, verifying: bool = False) -> list[str]:
        if job.action == "repair":   # a drift remediation: done when the links show no drift
            return [f"{f['object']}: {f['actual'] or f['intended']}"
                    for f in self.drift(running, job.context.get("links", []), None, None)]
        if job.action == "open":
            return [name for name, there in self.parts(running, job.context).items() if not there]
        if job.action == "close":
            return [f"{name} (should be gone)" for name, there in self.parts(running, job.context).items() if there]
        if job.action in ("disconnect", "reconnect"):
            cut = self.cut(running, job.context)
            if job.action == "disconnect":
                return [name for name, there in cut.items() if not there]
            return [f"{name} (should be gone)" for name, there in cut.items() if there]
        # link state is not in the listing: always send (the steps are idempotent) and let the shell's error
        # pattern decide; a rate is checked both ways once sent
        if not verifying:
            return [f"{job.action} {job.context['port']}"]
        if "bandwidth" not in job.actions:
            return []
        c = job.context
        want = c["bandwidth_mbps"] * 1_000_000
        parts = self.parts(running, c)
        upload = [f"ingress qdisc on {c['port']}", f"redirect from {c['port']} to egov_l{c['link_id']}"]
        return [f"rate {c['bandwidth_mbps']} Mbit/s on {dev} (shows {'none' if rate is None else f'{rate} bit/s'})"
                for dev, rate in self.rates(running, c).items() if rate != want] + \
            [name for name in upload if not parts[name]]

    @staticmethod
    def expected_rules(c: dict) -> dict[str, list[str]]:
        """The rules the open template puts in each chain of the link's table (without comments)."""
        port = c["port"]
        i, o = f'iifname "{port}"', f'oifname "{port}"'
        return {"from_unit": [f"{i} ip daddr != {c['core_prefix']} drop", f"{i} ip saddr != {c['subnet']} drop",
                              f"{i} meta nfproto ipv6 drop"],
                "to_unit": [f"{o} ip saddr != {c['core_prefix']} drop", f"{o} meta nfproto ipv6 drop"],
                "input": [f"{i} ip daddr {c['gateway']} icmp type echo-request accept",
                          f"{i} ct state established,related accept", f"{i} drop"]}

    def drift(self, running: str, links: list[dict], device, baseline: str | None) -> list[dict]:
        """Per link: a part missing, a rule or chain in the link's own nftables table that its template did not
        put there (a hand-added accept opens the isolation, Art. 3), a tbf rate other than the link's."""
        out = []
        rules = self.ruleset(running)

        def finding(obj, link, kind, intended, actual, articles):
            return {"object": obj, "link": link, "kind": kind, "intended": intended, "actual": actual,
                    "articles": sorted(articles), "fix": {"link": link}}
        for link in links:
            c, lid = link["context"], link["link"]
            table = f"inet egov_l{c['link_id']}"
            for name, there in self.parts(running, c).items():
                if not there:
                    out.append(finding(name, lid, "missing_line", name, None, [22]))
            expected = self.expected_rules(c)
            for (tab, chain), found in rules.items():
                if tab != table:
                    continue
                if chain not in expected:
                    out.append(finding(f"nftables table {table}", lid, "nft_chain_added", None, f"chain {chain}",
                                       [3, 22]))
                    continue
                for rule in found[1:]:
                    bare = re.sub(r' comment "[^"]*"$', "", rule)
                    if bare not in expected[chain]:
                        out.append(finding(f"nftables table {table} chain {chain}", lid, "nft_rule_added", None,
                                           bare, [3, 22]))
            want = c["bandwidth_mbps"] * 1_000_000
            for dev, rate in self.rates(running, c).items():
                if rate is not None and rate != want:
                    out.append(finding(f"tbf qdisc on {dev}", lid, "changed_rate", f"rate {want} bit/s",
                                       f"rate {rate} bit/s", [22]))
        return out

    def repair(self, running: str, findings: list[dict], links: list[dict]) -> list[str]:
        """The open template of each link with a finding: it empties and refills the link's chains in one nft
        transaction and replaces its qdiscs, so the link is never unfiltered while it is repaired."""
        wanted = {f["link"] for f in findings}
        out: list[str] = []
        for link in links:
            if link["link"] in wanted:
                out += link["commands"]
                # a chain a person added to the link's table goes too (its hook would see the unit's packets)
                table = f"inet egov_l{link['context']['link_id']}"
                out += [f"nft 'flush chain {table} {name} ; delete chain {table} {name}'"
                        for f in findings for name in [f["actual"].split()[1]]
                        if f["link"] == link["link"] and f["kind"] == "nft_chain_added"]
        return out

    def undo(self, before: str, current: str, job, render: Render) -> list[str]:
        """The opposite templates, newest action first; a rate goes back to the link's previous rate."""
        out: list[str] = []
        if job.action == "repair":
            return out   # the state before was the drift itself: nothing egovnet would type back
        for action in reversed(job.actions):
            out += render(OPPOSITE[action], job.previous or job.context)
        return out

    @staticmethod
    def state(text: str) -> list[str]:
        """Addresses, IFB devices, rules, qdiscs and ingress filters; a default qdisc (noop/noqueue) counts
        as none, a port with no ingress filters shows none, and an address's remaining lifetime (a SLAAC or
        DHCP address counts down) and its passing "tentative" flag (IPv6 duplicate address detection, about a
        second after a port comes up) are no configuration."""
        passing = r" tentative\b|\\?\s+valid_lft \S+ preferred_lft \S+"
        lines = [re.sub(passing, "", ln).rstrip() for ln in text.splitlines()
                 if ln.strip() and not re.match(r"qdisc (noop|noqueue) 0: dev \S+ root", ln)]
        return [ln for n, ln in enumerate(lines)
                if not (ln.startswith("filters ") and (n + 1 == len(lines) or not lines[n + 1].startswith("filter ")))]

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
