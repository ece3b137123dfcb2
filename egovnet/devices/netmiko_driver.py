"""The one module that imports Netmiko: fast, strict, secret-safe sessions per platform.

- Netmiko is imported once (``preload``), before any worker pool starts.
- Huawei VRP / VRPv8: Netmiko's check_config_mode drops its pattern and waits 2 s per call (about
  11.6 s a session); the subclasses pass a pattern, which makes a session ~18x faster.
- H3C Comware: cmd_verify on by default (configurable per device: real Comware can wrap long lines).
- Every read ends when the device's answer is complete (its prompt, or the pattern asked for), never after one
  of Netmiko's fixed sleeps; read timeouts are the inventory's, unchanged (``_prompted``). Sessions set
  TCP_NODELAY; known_hosts is parsed once per content, not once per connection.
- Host keys: strict, against inventory/known_hosts; a changed key is refused as a security event.
- Every network step has a timeout; a failed session is torn down hard instead of waiting on a
  device that stopped answering.
"""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

from egovnet.devices import platforms
from egovnet.errors import DeviceError, HostKeyChanged, Refused

_LOAD = threading.Lock()
_CLASSES: dict | None = None


def preload() -> dict:
    """Import Netmiko's classes once, in the calling thread. Importing them lazily inside worker threads
    races on Netmiko's package imports ("partially initialized module 'netmiko.cisco'") at 20 workers."""
    global _CLASSES
    with _LOAD:
        if _CLASSES is None:
            _CLASSES = _classes()
        return _CLASSES


def _classes() -> dict:
    """Netmiko's class per device type, each with reads that end on the device's answer (``_prompted``); VRP's
    config-mode check gets the pattern Netmiko leaves out."""
    from netmiko.cisco.cisco_ios import CiscoIosSSH
    from netmiko.cisco_base_connection import CiscoBaseConnection
    from netmiko.hp.hp_comware import HPComwareSSH
    from netmiko.huawei.huawei import HuaweiSSH, HuaweiVrpv8SSH
    from netmiko.linux.linux_ssh import LinuxSSH
    from netmiko.ssh_dispatcher import CLASS_MAPPER

    Prompted = _prompted()

    class FastHuawei(Prompted, HuaweiSSH):
        prompt_end = r"[>\]]"

        def check_config_mode(self, check_string="]", pattern="", force_regex=False):
            return CiscoBaseConnection.check_config_mode(self, check_string=check_string, pattern=r"[>\]]")

        def session_preparation(self):
            # Netmiko: set_base_prompt, `screen-length 0 temporary` read up to its echo, then sleep 0.3 x gdf and
            # clear the buffer for what the device prints after it ("Info: The configuration takes effect on the
            # current user terminal interface only."). Here the rest of the answer is read up to the prompt.
            self.ansi_escape_codes = True
            self.set_base_prompt()
            self.disable_paging(command="screen-length 0 temporary")
            if self.global_cmd_verify is not False:
                self.read_to_prompt()

    class FastHuaweiV8(FastHuawei, HuaweiVrpv8SSH):
        pass

    class FastComware(Prompted, HPComwareSSH):
        prompt_end = r"[>\]]"

        def session_preparation(self):
            data = self._test_channel_read(pattern=r"to continue|[>\]]")
            if "continue" in data:  # 'Press Y or ENTER to continue, N to exit.' (Netmiko's own handling)
                self.write_channel("\n")
                self._test_channel_read(pattern=r"[>\]]")
            self.set_base_prompt()
            self.disable_paging(command="screen-length disable")
            if self.global_cmd_verify is not False:  # Netmiko read the echo only: the prompt follows it
                self.read_to_prompt()

    class FastIos(Prompted, CiscoIosSSH):
        prompt_end = r"[>#]"

        def session_preparation(self):
            # Netmiko reads only the echo of `terminal width 511` and `terminal length 0` and relies on the
            # buffer clears of find_prompt to drop the prompts that follow; here each answer is read to its prompt
            for command in ("terminal width 511", "terminal length 0"):
                self.write_channel(self.normalize_cmd(command))
                self.read_until_pattern(pattern=re.escape(command))
                self.read_until_pattern(pattern=self.prompt_end)
            self.set_base_prompt()

    # A Linux router keeps Netmiko's own reads: its prompt ends in '$' or '#', characters its show commands and
    # their output carry too, and the prompted reads lost a command's echo there once in four CI runs under
    # load (a 10 s read timeout on 'ip -o route get'). Its sessions are few (one per Linux device and run).
    return {**CLASS_MAPPER, "huawei": FastHuawei, "huawei_vrpv8": FastHuaweiV8, "hp_comware": FastComware,
            "cisco_ios": FastIos, "linux": LinuxSSH}


def _prompted():
    """A mixin over Netmiko's SSH classes: every wait ends when the device's answer is complete, never after a
    fixed sleep.

    Netmiko polls the channel every 10 ms (read_until_pattern) or 25 ms (send_command) and sleeps between steps
    (0.1 s before session preparation, 0.3 x global_delay_factor after Huawei's paging command, 25 ms in
    find_prompt, 10 ms in every clear_buffer). Against a device that answers in a millisecond that was 83% of a
    session. Here a read waits on the channel itself (paramiko's ``Channel.fileno()``, polled) until data
    arrives, then looks for the pattern; it still waits up to the read timeout (``read_timeout`` /
    ``read_timeout_override``: the inventory's read timeout), so a slow S6730 that takes 30 s to show its
    configuration is waited for exactly as before. Every answer is read up to its prompt (the session
    preparations below, and cmd_verify), so clearing the buffer means dropping what has already arrived.
    """
    import select

    import paramiko
    from netmiko.exceptions import ReadTimeout
    from netmiko.utilities import select_cmd_verify

    class Prompted:
        prompt_end = ""   # the prompt's last character, as a regex (set per class above)
        _poller = None

        # ---- waiting ----
        def _wait_for_data(self, seconds: float) -> None:
            """Until the channel has something to read, or ``seconds`` pass."""
            chan = self.remote_conn
            if not isinstance(chan, paramiko.Channel) or chan.closed or chan.eof_received:
                time.sleep(min(seconds, 0.01))   # nothing will wake us: Netmiko's own loop delay
                return
            if chan.recv_ready():
                return
            if self._poller is None or self._poller[0] is not chan:
                poller = select.poll()
                poller.register(chan.fileno(), select.POLLIN)  # paramiko sets this pipe when data arrives
                self._poller = (chan, poller)
            self._poller[1].poll(max(1, int(seconds * 1000)))

        def read_to_prompt(self, read_timeout: float = 20.0) -> str:
            """The rest of an answer, up to the device's prompt."""
            return self.read_until_pattern(pattern=self.prompt_end, read_timeout=read_timeout)

        def _connect_params_dict(self):
            # paramiko leaves Nagle's algorithm on: a small packet written while the previous one is unacknowledged
            # waits for the device's delayed ACK (40 ms on Linux), several times during key exchange and login
            # (measured on the lab: 77 ms a connect, 6 ms of it CPU). OpenSSH sets TCP_NODELAY for interactive
            # sessions; so does egovnet.
            return {**super()._connect_params_dict(), "transport_factory": _nodelay_transport}

        def _build_ssh_client(self):
            # Netmiko loads the whole known_hosts file per connection, and paramiko's HostKeys.load checks every
            # line against all lines read before it: 200 devices cost 200 x 200^2 / 2 lookups, the largest
            # share of the client's CPU in a wave. The file is parsed once (again when it changes) and each
            # connection gets the keys recorded for its own [host]:port, which is all paramiko looks up.
            client = self._get_ssh_client_instance()
            if self.system_host_keys:
                client.load_system_host_keys()
            if self.alt_host_keys and os.path.isfile(self.alt_key_file):
                name = self.host if self.port == 22 else f"[{self.host}]:{self.port}"
                for keytype, key in (known_hosts(self.alt_key_file).lookup(name) or {}).items():
                    client.get_host_keys().add(name, keytype, key)
            client.set_missing_host_key_policy(self.key_policy)
            return client

        # ---- Netmiko's reads, without their sleeps ----
        def read_until_pattern(self, pattern="", read_timeout=10.0, re_flags=0, max_loops=None):
            """Netmiko's contract: everything up to and including the first match is returned, the rest is
            kept for the next read; ReadTimeout after ``read_timeout`` seconds (0: wait for ever)."""
            if self.read_timeout_override:
                read_timeout = self.read_timeout_override
            regex = re.compile(pattern, re_flags)
            output, searched = "", 0
            start = time.time()
            while True:
                new = self.read_channel()
                if new:
                    output += new
                    # search only what is new (with a margin for a match that began in the previous read)
                    m = regex.search(output, max(0, searched - 4096))
                    searched = len(output)
                    if m:
                        if m.end() < len(output):
                            self._read_buffer += output[m.end():]
                        return output[:m.end()]
                left = read_timeout - (time.time() - start) if read_timeout else 1.0
                if left <= 0:
                    # Netmiko's wording; what the device printed stays out (it may hold configuration secrets)
                    raise ReadTimeout(f"\n\nPattern not detected: {pattern!r} in output.\n\n")
                self._wait_for_data(min(left, 1.0))

        def find_prompt(self, delay_factor=1.0, pattern=None):
            # without a pattern Netmiko sleeps 25 ms and takes whatever has arrived as the prompt
            return super().find_prompt(delay_factor=delay_factor, pattern=pattern or self.prompt_end)

        def clear_buffer(self, backoff=True, backoff_max=3.0, delay_factor=None):
            output = ""
            while True:
                data = self.read_channel()
                if not data:
                    return output
                output += self.strip_ansi_escape_codes(data)

        def _try_session_preparation(self, force_data=True):
            try:
                if force_data:  # Netmiko writes Enter and sleeps 0.1 s so that there is data to read
                    self.write_channel(self.RETURN)
                    self._wait_for_data(0.1)
                self.session_preparation()
            except Exception:
                self.disconnect()
                raise

        @select_cmd_verify
        def send_command(self, command_string, expect_string=None, read_timeout=10.0, delay_factor=None,
                         max_loops=None, auto_find_prompt=True, strip_prompt=True, strip_command=True,
                         normalize=True, use_textfsm=False, textfsm_template=None, use_ttp=False,
                         ttp_template=None, use_genie=False, cmd_verify=True, raise_parsing_error=False):
            if use_textfsm or use_ttp or use_genie or delay_factor is not None or max_loops is not None \
                    or self.delay_factor_compat:
                return super().send_command(
                    command_string, expect_string=expect_string, read_timeout=read_timeout,
                    delay_factor=delay_factor, max_loops=max_loops, auto_find_prompt=auto_find_prompt,
                    strip_prompt=strip_prompt, strip_command=strip_command, normalize=normalize,
                    use_textfsm=use_textfsm, textfsm_template=textfsm_template, use_ttp=use_ttp,
                    ttp_template=ttp_template, use_genie=use_genie, cmd_verify=cmd_verify,
                    raise_parsing_error=raise_parsing_error)
            if self.read_timeout_override:
                read_timeout = self.read_timeout_override
            search = expect_string if expect_string is not None else self._prompt_handler(auto_find_prompt)
            if normalize:
                command_string = self.normalize_cmd(command_string)
            start = time.time()
            self.write_channel(command_string)
            cmd = command_string.strip()
            output = self.command_echo_read(cmd=cmd, read_timeout=10) if cmd and cmd_verify else ""
            output, _ = self._first_line_handler(output, search)
            if not re.search(search, output):
                left = max(read_timeout - (time.time() - start), 0.001) if read_timeout else 0
                output += self.read_until_pattern(pattern=search, read_timeout=left)
            # as Netmiko's send_command, everything read so far belongs to this command's output
            output, self._read_buffer = output + self._read_buffer, ""
            return self._sanitize_output(output, strip_command=strip_command, command_string=command_string,
                                         strip_prompt=strip_prompt)

    return Prompted


def _nodelay_transport(sock, **kwargs):
    """paramiko's Transport over ``sock`` with TCP_NODELAY set (a proxy channel is no TCP socket: left as it is)."""
    import socket

    import paramiko

    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (AttributeError, OSError):
        pass
    return paramiko.Transport(sock, **kwargs)


_HOST_KEYS: dict = {}
_HOST_KEYS_LOCK = threading.Lock()


def known_hosts(path: str):
    """The known_hosts file parsed once per content (a file rewritten within the same clock tick still counts as
    changed: the cache is keyed by what the file says, not by its modification time); read-only afterwards."""
    import hashlib

    import paramiko

    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).digest()
    with _HOST_KEYS_LOCK:
        cached = _HOST_KEYS.get(path)
        if cached is not None and cached[0] == digest:
            return cached[1]
    keys = paramiko.HostKeys()
    keys.load(path)
    with open(path, "rb") as f:
        if hashlib.sha256(f.read()).digest() == digest:  # not rewritten while it was parsed
            with _HOST_KEYS_LOCK:
                _HOST_KEYS[path] = (digest, keys)
    return keys


def stock_class(device_type: str):
    """Netmiko's own class, for benchmarks."""
    from netmiko.ssh_dispatcher import CLASS_MAPPER

    return CLASS_MAPPER[device_type]


class NetmikoDriver:
    def __init__(self, device, known_hosts: Path, session_log: Path | None = None, stock: bool = False):
        self.device = device
        self.platform = platforms.get(device.platform)
        self.known_hosts = Path(known_hosts)
        self.session_log = session_log
        self.stock = stock
        self.conn = None
        self._secret_values: list[str] = []

    # ---- helpers ----
    def _scrub(self, text: str) -> str:
        for value in self._secret_values:
            if value:
                text = text.replace(value, "********")
        return text

    def _fail(self, what: str, exc: BaseException) -> DeviceError:
        from netmiko.exceptions import NetmikoTimeoutException, ReadTimeout

        detail = self._scrub(" ".join(str(exc).split()))[:300]
        err = DeviceError(f"device {self.device.name}: {what}: {detail}")
        # after a timeout the session is in an unknown state: the caller opens a fresh one
        err.session_lost = isinstance(exc, (ReadTimeout, NetmikoTimeoutException, OSError, EOFError))
        return err

    # ---- protocol ----
    def open(self) -> None:
        from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException
        from paramiko.ssh_exception import BadHostKeyException

        dev, t = self.device, self.device.timeouts
        if not self.known_hosts.exists():
            raise Refused(f"device {dev.name}: no known_hosts file at {self.known_hosts}; record the device's "
                          f"host key with 'egovnet device trust {dev.name}'")
        password = dev.password()
        self._secret_values = [password or ""]
        params = dict(host=dev.host, port=dev.port, username=dev.username, password=password or "",
                      secret=password or "", conn_timeout=t.connect, auth_timeout=t.auth, banner_timeout=t.banner,
                      read_timeout_override=t.read, ssh_strict=True, system_host_keys=False,
                      alt_host_keys=True, alt_key_file=str(self.known_hosts), allow_agent=False,
                      use_keys=bool(dev.key_file), key_file=dev.key_file, fast_cli=True)
        params.update(self.platform.netmiko_params(dev))
        if self.session_log is not None:
            self.session_log.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.session_log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            params["session_log"] = os.fdopen(fd, "ab")
        kind = self.platform.netmiko_type
        cls = stock_class(kind) if self.stock else preload()[kind]
        try:
            self.conn = cls(**params)
        except NetmikoAuthenticationException:
            err = DeviceError(f"device {dev.name}: authentication failed for user {dev.username!r}; check "
                              f"{dev.password_env or dev.key_file}")
            err.step = "auth"
            raise err from None
        except NetmikoTimeoutException as exc:
            cause = exc.__context__ or exc.__cause__
            if isinstance(cause, BadHostKeyException) or "does not match" in str(exc):
                raise HostKeyChanged(
                    f"device {dev.name} ({dev.host}:{dev.port}) presented a host key that differs from "
                    f"{self.known_hosts}: possible interception; nothing was sent. Verify the device and, if its "
                    f"key really changed, remove the old entry and run 'egovnet device trust {dev.name}'") from None
            if "not found in known_hosts" in str(exc):
                raise Refused(f"device {dev.name} ({dev.host}:{dev.port}) is not in {self.known_hosts}; check "
                              f"its fingerprint and record it with 'egovnet device trust {dev.name}'") from None
            raise self._fail("cannot connect", exc) from None
        except Exception as exc:  # any other failure still passes through _scrub
            raise self._fail("cannot open a session", exc) from None
        if self.platform.needs_enable:
            try:
                self.conn.enable()
            except Exception as exc:
                self.abort()
                err = self._fail("cannot enter enable mode", exc)
                err.step = "enable"
                raise err from None

    def running_config(self) -> str:
        return self.show(self.platform.show_config)

    def saved_config(self) -> str | None:
        """The configuration the device boots with (None on a platform that keeps none)."""
        command = self.platform.saved_config_command
        if not command or not self.platform.saves:
            return None
        return self.show(command)

    def show(self, command: str) -> str:
        try:
            return self.conn.send_command(command, read_timeout=self.device.timeouts.read)
        except Exception as exc:
            raise self._fail(f"{command!r} failed", exc) from None

    def configure(self, commands: list[str]) -> str:
        from netmiko.exceptions import ConfigInvalidException

        p = self.platform
        try:
            out = self.conn.send_config_set(commands, error_pattern=p.error_pattern, cmd_verify=True,
                                            exit_config_mode=p.config_mode and not p.candidate,
                                            read_timeout=self.device.timeouts.read)
            if p.candidate:
                out += self.conn.commit()
                self.conn.exit_config_mode()
            return out
        except ConfigInvalidException as exc:
            text = self._scrub(" ".join(str(exc).split()))
            m = re.search(r"at command: (.*?), matched error: (.*)$", text)
            what = f"{m.group(1).strip()!r}: {m.group(2).strip()}" if m else text[:300]
            raise DeviceError(f"device {self.device.name} refused {what}") from None
        except Exception as exc:
            raise self._fail("configuration failed", exc) from None

    def enter_config_and_leave(self) -> None:
        """Enter configuration mode and leave it, changing nothing: proves the login may configure."""
        try:
            self.conn.config_mode()
            self.conn.exit_config_mode()
        except Exception as exc:
            raise self._fail("cannot enter configuration mode", exc) from None

    def discard(self) -> None:
        """Drop uncommitted changes (VRPv8 candidate) and leave config mode."""
        if self.platform.candidate:
            try:
                self.conn.send_config_set(["clear configuration candidate"], exit_config_mode=False,
                                          cmd_verify=True, read_timeout=self.device.timeouts.read)
                self.conn.exit_config_mode()
            except Exception as exc:
                raise self._fail("cannot discard the candidate configuration", exc) from None

    def save(self) -> None:
        if not self.platform.saves:
            return
        try:
            self.conn.save_config()
        except Exception as exc:
            raise self._fail("cannot save the configuration", exc) from None

    def close(self) -> None:
        if self.conn is None:
            return
        try:
            self.conn.disconnect()
        except Exception:
            self.abort()
        self.conn = None

    def abort(self) -> None:
        """Tear the session down without talking to a device that may not answer."""
        conn, self.conn = self.conn, None
        if conn is None:
            return
        for attr in ("remote_conn", "remote_conn_pre"):
            try:
                getattr(conn, attr).close()
            except Exception:
                pass
        log = getattr(conn, "session_log", None)
        try:
            if log is not None:
                log.close()
        except Exception:
            pass
