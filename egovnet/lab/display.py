"""What each emulated platform prints for `display interface PORT` / `show interfaces PORT`.

Each renderer follows one real capture line by line (fields in the device's order, its wording and
spacing), so that egovnet's counter parsing is tested against the shape of real output, not against a
format the lab made up. The captures are in tests/data/counters (origin and licence in its README).
Only the values change: state from the port's config (``shutdown``, ``description``, link type, PVID) and
the four counters the lab keeps per port (``in_octets``, ``out_octets``, ``in_packets``, ``out_packets``).
"""

from __future__ import annotations

import hashlib

CLOCK = "2026-09-28 09:00:00"   # the lab's "current system time" line; fixed, the tests do not read it


def _mac(port: str, sep: str, group: int) -> str:
    digits = "00e0fc" + hashlib.sha256(port.encode()).hexdigest()[:6]   # 00e0-fc: a Huawei OUI, as in the captures
    return sep.join(digits[i:i + group] for i in range(0, 12, group))


def _config(node) -> list[str]:
    return [child.line for child in node.children] if node is not None else []


def _value(lines: list[str], prefix: str, default: str) -> str:
    for line in lines:
        if line.startswith(prefix):
            return line[len(prefix):].strip()
    return default


def _address_line(value: str) -> str:
    import ipaddress

    try:
        ip, mask = value.split()[:2]
        return f"Internet Address is {ipaddress.ip_interface(f'{ip}/{mask}').with_prefixlen}"
    except ValueError:
        return "Internet protocol processing : disabled"


def render(platform: str, port: str, counters: dict, node) -> str:
    """The device's answer (lines joined by \\n) for ``port``; ``node`` is the port's config view or None."""
    lines = _config(node)
    down = "shutdown" in lines
    return RENDERERS[platform](port, counters, lines, down)


def huawei_vrp(port: str, c: dict, cfg: list[str], down: bool) -> str:
    """Huawei VRP V5 S-series switch, after huawei/s_series_xge_trunk (XGigabitEthernet0/0/1, S-series capture).

    A Vlanif prints no Input/Output counters on the S-series (huawei/s_series_ge_vlanif, Vlanif30).
    """
    state = "Administratively DOWN" if down else "UP"
    head = [f"{port} current state : {state}", f"Line protocol current state : {'DOWN' if down else 'UP'}",
            f"Description:{_value(cfg, 'description ', '')}"]
    if port.lower().startswith("vlanif"):
        return "\n".join(head + [
            "Route Port,The Maximum Transmit Unit is 1500",
            _address_line(_value(cfg, "ip address ", "")),
            f"IP Sending Frames' Format is PKTFMT_ETHNT_2, Hardware address is {_mac(port, '-', 4)}",
            f"Current system time: {CLOCK}",
            "    Input bandwidth utilization  : --",
            "    Output bandwidth utilization : --"])
    link = _value(cfg, "port link-type ", "")
    pvid = _value(cfg, "port default vlan ", "1")
    return "\n".join(head + [
        f"Switch Port, Link-type : {link + '(configured)' if link else 'access(negotiated)'},",
        f"PVID : {pvid:>4}, TPID : 8100(Hex), The Maximum Frame Length is 9216",
        f"IP Sending Frames' Format is PKTFMT_ETHNT_2, Hardware address is {_mac(port, '-', 4)}",
        "Last physical up time   : 2026-09-01 08:00:00",
        "Last physical down time : 2026-09-01 07:59:40",
        f"Current system time: {CLOCK}",
        "Port Mode: COMMON COPPER",
        "Speed : 1000,   Loopback: NONE",
        "Duplex: FULL,   Negotiation: ENABLE",
        "Mdi   : AUTO,   Flow-control: DISABLE",
        "Last 300 seconds input rate 0 bits/sec, 0 packets/sec",
        "Last 300 seconds output rate 0 bits/sec, 0 packets/sec",
        "Input peak rate 0 bits/sec, Record time: -",
        "Output peak rate 0 bits/sec, Record time: -",
        "",
        f"Input:  {c['in_packets']} packets, {c['in_octets']} bytes",
        f"  Unicast: {c['in_packets']:>26},  Multicast: {0:>27}",
        f"  Broadcast: {0:>24},  Jumbo: {0:>31}",
        f"  Discard: {0:>26},  Pause: {0:>31}",
        f"  Frames: {0:>27}",
        "",
        f"  Total Error: {0:>22}",
        f"  CRC: {0:>30},  Giants: {0:>30}",
        f"  Jabbers: {0:>26},  Fragments: {0:>27}",
        f"  Runts: {0:>28},  DropEvents: {0:>26}",
        f"  Alignments: {0:>23},  Symbols: {0:>29}",
        f"  Ignoreds: {0:>25}",
        "",
        f"Output:  {c['out_packets']} packets, {c['out_octets']} bytes",
        f"  Unicast: {c['out_packets']:>26},  Multicast: {0:>27}",
        f"  Broadcast: {0:>24},  Jumbo: {0:>31}",
        f"  Discard: {0:>26},  Pause: {0:>31}",
        "",
        f"  Total Error: {0:>22}",
        f"  Collisions: {0:>23},  ExcessiveCollisions: {0:>17}",
        f"  Late Collisions: {0:>18},  Deferreds: {0:>27}",
        f"  Buffers Purged: {0:>19}",
        "",
        "    Input bandwidth utilization threshold : 80.00%",
        "    Output bandwidth utilization threshold: 80.00%",
        "    Input bandwidth utilization  :    0%",
        "    Output bandwidth utilization :    0%"])


def huawei_ce(port: str, c: dict, cfg: list[str], down: bool) -> str:
    """Huawei VRPv8 CloudEngine, after the CE6800 V300R023C00 command reference, `display interface` example for
    10GE1/0/1 (no public capture exists; see tests/data/counters/README.md): bytes before packets,
    ``Input :  N bytes,  N packets``, numbers right-aligned."""
    state = "Administratively DOWN" if down else "UP"
    index = int(hashlib.sha256(port.encode()).hexdigest()[:3], 16) % 200 + 6
    pvid = _value(cfg, "port default vlan ", "1")
    return "\n".join([
        f"{port} current state : {state} (ifindex: {index})",
        f"Line protocol current state : {'DOWN' if down else 'UP'}",
        f"Description:{_value(cfg, 'description ', '')}",
        f"Switch Port, PVID : {pvid:>4}, TPID : 8100(Hex), The Maximum Frame Length is 9216",
        "Internet protocol processing : disabled",
        f"IP Sending Frames' Format is PKTFMT_ETHNT_2, Hardware address is {_mac(port, '-', 4)}",
        "Port Mode:     COMMON COPPER,     Port Split/Aggregate:               -",
        "Speed:                 1000,     Loopback:                        NONE",
        "Duplex:                FULL,     Negotiation:                   ENABLE",
        "Input Flow-control: DISABLE,     Output Flow-control:          DISABLE",
        "Mdi:                   AUTO,     Fec:                                -",
        "Last physical up time   : 2026-09-01 08:00:00",
        "Last physical down time : 2026-09-01 07:59:40",
        f"Current system time: {CLOCK}",
        "Statistics last cleared:never",
        "    Last 300 seconds input rate: 0 bits/sec, 0 packets/sec",
        "    Last 300 seconds output rate: 0 bits/sec, 0 packets/sec",
        "    Input peak rate 0 bits/sec, Record time: -",
        "    Output peak rate 0 bits/sec, Record time: -",
        f"    Input :{c['in_octets']:>19} bytes,{c['in_packets']:>19} packets",
        f"    Output:{c['out_octets']:>19} bytes,{c['out_packets']:>19} packets",
        "    Input:",
        f"      Unicast:{c['in_packets']:>21},   Multicast:{0:>24}",
        f"      Broadcast:{0:>19},   Jumbo:{0:>28}",
        f"      Discard:{0:>21},   Frames:{0:>27}",
        f"      Pause:{0:>23},   Ignoreds:{0:>25}",
        "",
        f"      Total Error:{0:>17}",
        f"      CRC:{0:>25},   Giants:{0:>27}",
        f"      Jabbers:{0:>21},   Fragments:{0:>24}",
        f"      Runts:{0:>23},   DropEvents:{0:>23}",
        f"      Alignments:{0:>18},   Symbols:{0:>26}",
        "",
        "    Output:",
        f"      Unicast:{c['out_packets']:>21},   Multicast:{0:>24}",
        f"      Broadcast:{0:>19},   Jumbo:{0:>28}",
        f"      Discard:{0:>21},   Buffers Purged:{0:>19}",
        f"      Pause:{0:>23}",
        "",
        "    Input bandwidth utilization threshold : 90.00%",
        "    Output bandwidth utilization threshold: 90.00%",
        "    Last 300 seconds input utility rate:  0.00%",
        "    Last 300 seconds output utility rate: 0.00%"])


def comware(port: str, c: dict, cfg: list[str], down: bool) -> str:
    """H3C Comware 7, after hp_comware/comware7_ipv4_block (GigabitEthernet1/1/0/48): ``Input (total):`` lines,
    then an ``IPv4 traffic statistics:`` block that counts only routed IPv4 traffic (0 on a Layer-2 port, as in
    the capture). A Vlan-interface prints ``Input: N packets, N bytes, N drops`` (comware7_total_vlanif_aggregate,
    Vlan-interface2000)."""
    state = "Administratively DOWN" if down else "UP"
    if port.lower().startswith("vlan-interface"):
        return "\n".join([
            port, f"Current state: {state}", f"Line protocol state: {'DOWN' if down else 'UP'}",
            f"Description: {_value(cfg, 'description ', port + ' Interface')}",
            "Bandwidth: 1000000 kbps", "Maximum transmission unit: 1500",
            f"IP packet frame type: Ethernet II, hardware address: {_mac(port, '-', 4)}",
            f"IPv6 packet frame type: Ethernet II, hardware address: {_mac(port, '-', 4)}",
            "Last clearing of counters: Never",
            "Last 300 seconds input rate: 0 bytes/sec, 0 bits/sec, 0 packets/sec",
            "Last 300 seconds output rate: 0 bytes/sec, 0 bits/sec, 0 packets/sec",
            f"Input: {c['in_packets']} packets, {c['in_octets']} bytes, 0 drops",
            f"Output: {c['out_packets']} packets, {c['out_octets']} bytes, 0 drops"])
    link = _value(cfg, "port link-type ", "access").capitalize()
    pvid = _value(cfg, "port access vlan ", "1")
    return "\n".join([
        port, f"Current state: {state}", f"Line protocol state: {'DOWN' if down else 'UP'}",
        f"IP packet frame type: Ethernet II, hardware address: {_mac(port, '-', 4)}",
        f"Description: {_value(cfg, 'description ', port + ' Interface')}",
        "Bandwidth: 1000000 kbps",
        "Loopback is not set",
        "Media type is twisted pair, port hardware type is 1000_BASE_T",
        "1000Mbps-speed mode, full-duplex mode",
        "Link speed type is autonegotiation, link duplex type is autonegotiation",
        "Flow-control is not enabled",
        "Maximum frame length: 9216",
        "Allow jumbo frames to pass",
        "Broadcast max-ratio: 100%",
        "Multicast max-ratio: 100%",
        "Unicast max-ratio: 100%",
        f"PVID: {pvid}",
        "MDI type: Automdix",
        f"Port link-type: {link}",
        " Tagged VLANs:   None",
        f" Untagged VLANs: {pvid}",
        "Port priority: 0",
        "Last link flapping: 27 days 1 hours 0 minutes",
        "Last clearing of counters: Never",
        f"Current system time:{CLOCK}",
        "Last time when physical state changed to up:2026-09-01 08:00:00",
        "Last time when physical state changed to down:2026-09-01 07:59:40",
        " Peak input rate: 0 bytes/sec, at 2026-09-01 08:00:00 ",
        " Peak output rate: 0 bytes/sec, at 2026-09-01 08:00:00 ",
        " Last 300 seconds input: 0 packets/sec 0 bytes/sec 0%",
        " Last 300 seconds output: 0 packets/sec 0 bytes/sec 0%",
        f" Input (total):  {c['in_packets']} packets, {c['in_octets']} bytes",
        f"\t {c['in_packets']} unicasts, 0 broadcasts, 0 multicasts, 0 pauses",
        f" Input (normal):  {c['in_packets']} packets, - bytes",
        f"\t {c['in_packets']} unicasts, 0 broadcasts, 0 multicasts, 0 pauses",
        " Input:  0 input errors, 0 runts, 0 giants, 0 throttles",
        "\t 0 CRC, 0 frame, - overruns, 0 aborts",
        "\t - ignored, - parity errors",
        f" Output (total): {c['out_packets']} packets, {c['out_octets']} bytes",
        f"\t {c['out_packets']} unicasts, 0 broadcasts, 0 multicasts, 0 pauses",
        f" Output (normal): {c['out_packets']} packets, - bytes",
        f"\t {c['out_packets']} unicasts, 0 broadcasts, 0 multicasts, 0 pauses",
        " Output: 0 output errors, - underruns, - buffer failures",
        "\t 0 aborts, 0 deferred, 0 collisions, 0 late collisions",
        "\t 0 lost carrier, - no carrier",
        "IPv4 traffic statistics:",
        " Last 300 seconds input rate: 0 packets/sec, 0 bytes/sec",
        " Last 300 seconds output rate: 0 packets/sec, 0 bytes/sec",
        " Input: 0 packets, 0 bytes",
        " Output: 0 packets, 0 bytes",
        "IPv6 traffic statistics:",
        " Last 300 seconds input rate: 0 packets/sec, 0 bytes/sec",
        " Last 300 seconds output rate: 0 packets/sec, 0 bytes/sec",
        " Input: 0 packets, 0 bytes",
        " Output: 0 packets, 0 bytes"])


def cisco_ios(port: str, c: dict, cfg: list[str], down: bool) -> str:
    """Cisco IOS switch, after cisco_ios/catalyst_igbe (GigabitEthernet0/1 block)."""
    state = "administratively down" if down else "up"
    desc = _value(cfg, "description ", "")
    return "\n".join([
        f"{port} is {state}, line protocol is {'down (disabled)' if down else 'up (connected)'}",
        f"  Hardware is Gigabit Ethernet, address is {_mac(port, '.', 4)} (bia {_mac(port, '.', 4)})",
        *([f"  Description: {desc}"] if desc else []),
        "  MTU 1500 bytes, BW 1000000 Kbit/sec, DLY 10 usec,",
        "     reliability 255/255, txload 1/255, rxload 1/255",
        "  Encapsulation ARPA, loopback not set",
        "  Keepalive set (10 sec)",
        "  Full-duplex, 1000Mb/s, media type is 10/100/1000BaseTX",
        "  input flow-control is off, output flow-control is unsupported",
        "  ARP type: ARPA, ARP Timeout 04:00:00",
        "  Last input 00:00:01, output 00:00:00, output hang never",
        "  Last clearing of \"show interface\" counters never",
        "  Input queue: 0/75/0/0 (size/max/drops/flushes); Total output drops: 0",
        "  Queueing strategy: fifo",
        "  Output queue: 0/40 (size/max)",
        "  5 minute input rate 0 bits/sec, 0 packets/sec",
        "  5 minute output rate 0 bits/sec, 0 packets/sec",
        f"     {c['in_packets']} packets input, {c['in_octets']} bytes, 0 no buffer",
        "     Received 0 broadcasts (0 multicasts)",
        "     0 runts, 0 giants, 0 throttles",
        "     0 input errors, 0 CRC, 0 frame, 0 overrun, 0 ignored",
        "     0 watchdog, 0 multicast, 0 pause input",
        f"     {c['out_packets']} packets output, {c['out_octets']} bytes, 0 underruns",
        "     0 output errors, 0 collisions, 1 interface resets",
        "     0 unknown protocol drops",
        "     0 babbles, 0 late collision, 0 deferred",
        "     0 lost carrier, 0 no carrier, 0 pause output",
        "     0 output buffer failures, 0 output buffers swapped out"])


RENDERERS = {"huawei": huawei_vrp, "huawei_vrpv8": huawei_ce, "hp_comware": comware, "cisco_ios": cisco_ios}
