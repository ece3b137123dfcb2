"""SSH front of the lab: asyncssh on 127.0.0.1 only, one port per device, in a thread or in the foreground."""

from __future__ import annotations

import asyncio
import ipaddress
import threading
from pathlib import Path

from egovnet.errors import InvalidInput
from egovnet.lab.device import CliSession, Closed, Device, Hang


def require_asyncssh() -> None:
    """The lab is an extra (pip install 'egovnet[lab]'): a production install talks to real devices only."""
    try:
        import asyncssh  # noqa: F401
    except ImportError:
        from egovnet.errors import EgovnetError

        raise EgovnetError("the device lab (egovnet demo, egovnet lab serve) needs asyncssh, which this installation "
                           "lacks; install it with: pip install 'egovnet[lab]'") from None


def check_loopback(host: str) -> str:
    try:
        ok = ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = host == "localhost"
    if not ok:
        raise InvalidInput(f"the device lab listens on loopback only (127.0.0.0/8, ::1); refusing {host!r}")
    return host


class _Server:
    """asyncssh server callbacks for one device."""

    def __init__(self, device: Device):
        self.device = device

    def __call__(self):
        import asyncssh

        device = self.device

        class LabSSHServer(asyncssh.SSHServer):
            def begin_auth(self, username):
                return True

            def password_auth_supported(self):
                return True

            def validate_password(self, username, password):
                if device.faults.wrong_password:
                    return False
                return username == device.username and password == device.password

        return LabSSHServer()


async def _session(process, device: Device) -> None:
    cli = CliSession(device)
    chan = process.channel
    write = process.stdout.write
    write(cli.greeting())
    pending_cr = False
    buf = ""
    try:
        while not process.stdin.at_eof():
            data = await process.stdin.read(4096)
            if not data:
                break
            out = []
            for ch in data:
                if ch == "\x00":  # is_alive() probes
                    continue
                if ch == "\n" and pending_cr:
                    pending_cr = False
                    continue
                pending_cr = ch == "\r"
                if ch in "\r\n":
                    out.append("\r\n")
                    if device.faults.latency:
                        if out and not chan.is_closing():
                            write("".join(out))
                        out = []
                        await asyncio.sleep(device.faults.latency)
                    line, buf = buf, ""
                    try:
                        out.append(cli.line(line))
                    except Hang:
                        if out and not chan.is_closing():
                            write("".join(out))
                        await asyncio.sleep(3600)
                        return
                    continue
                if ch in "\x1a":  # Ctrl+Z: back to user view
                    buf = cli.d.top[0]
                    continue
                if ch in "\x08\x7f":
                    buf = buf[:-1]
                    continue
                buf += ch
                if cli.echo:
                    out.append(ch)
            if out and not chan.is_closing():
                write("".join(out))
    except Closed:
        pass
    except (BrokenPipeError, ConnectionError):
        return
    finally:
        if not chan.is_closing():
            process.exit(0)


class Lab:
    """Devices served over SSH by one asyncio loop in a daemon thread."""

    def __init__(self, devices: list[Device], host: str = "127.0.0.1", host_key_path: Path | None = None):
        require_asyncssh()
        self.host = check_loopback(host)
        self.devices = {d.name: d for d in devices}
        self.ports: dict[str, int] = {}
        self._host_key_path = host_key_path
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._servers = []
        self.host_key = None

    def _key(self):
        import asyncssh

        if self._host_key_path and self._host_key_path.exists():
            return asyncssh.read_private_key(str(self._host_key_path))
        key = asyncssh.generate_private_key("ssh-ed25519")
        if self._host_key_path:
            self._host_key_path.parent.mkdir(parents=True, exist_ok=True)
            key.write_private_key(str(self._host_key_path))
            self._host_key_path.chmod(0o600)
        return key

    async def _start(self, requested: dict[str, int]):
        import asyncssh

        self.host_key = self._key()
        for name, device in self.devices.items():
            server = await asyncssh.create_server(
                _Server(device), self.host, requested.get(name, 0), server_host_keys=[self.host_key],
                process_factory=lambda p, d=device: _session(p, d), line_editor=False, encoding="utf-8",
                allow_scp=False, agent_forwarding=False, x11_forwarding=False, login_timeout=30,
            )
            self._servers.append(server)
            self.ports[name] = server.sockets[0].getsockname()[1]

    def start(self, ports: dict[str, int] | None = None) -> "Lab":
        ready = threading.Event()
        error: list[BaseException] = []

        def run():
            self._loop = asyncio.new_event_loop()
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(self._start(ports or {}))
            except BaseException as exc:  # reported to the starting thread
                error.append(exc)
                ready.set()
                return
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="egovnet-lab", daemon=True)
        self._thread.start()
        ready.wait(30)
        if error:
            raise error[0]
        return self

    def stop(self) -> None:
        if self._loop is None:
            return

        async def close():
            for server in self._servers:
                server.close()
            for server in self._servers:
                await server.wait_closed()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        try:
            asyncio.run_coroutine_threadsafe(close(), self._loop).result(10)
        except Exception:
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop = None

    def known_hosts_lines(self) -> list[str]:
        key = self.host_key.export_public_key("openssh").decode().strip()
        return [f"[{self.host}]:{port} {key}" for port in self.ports.values()]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
