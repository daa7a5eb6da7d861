"""Shared helpers for the daemon benchmarks that run our `agent` and HashiCorp Serf side by
side on loopback (Benchmarks/daemon/compare-serf, Benchmarks/catalog/compare-serf-catalog).
Python 3 standard library only.

- MessagePack, enough for Serf's RPC protocol;
- clients that keep one connection open: ours over the control socket (HTTP/1.1 over a Unix
  socket), Serf's msgpack RPC over TCP; so polling costs the daemons a request, not a process;
- fleets: N daemons of one system on one loopback /24, each started in its own session
  with its log in the work dir, stopped with SIGTERM then SIGKILL;
- the simultaneous join and the "all see all" poll;
- /proc readings (VmRSS, CPU ticks) and table formatting.
"""

import http.client
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request

AGENT_PORT, AGENT_METRICS_PORT = 7950, 9950
SERF_PORT, SERF_RPC_PORT = 7946, 7373
POLL_INTERVAL = 0.1
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def exit_on_signals():
    """SIGTERM and SIGHUP unwind through `finally`, as Ctrl-C does."""
    def leave(signum, _frame):
        log(f"got {signal.Signals(signum).name}: stopping")
        sys.exit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, leave)


# --------------------------------------------------------------------------------------------
# Minimal MessagePack, enough for Serf's RPC protocol (no third-party module needed).

def mp_pack(value):
    if value is None:
        return b"\xc0"
    if value is True:
        return b"\xc3"
    if value is False:
        return b"\xc2"
    if isinstance(value, int):
        if 0 <= value <= 0x7F:
            return bytes([value])
        if 0 <= value <= 0xFFFFFFFF:
            return b"\xce" + struct.pack(">I", value)
        raise ValueError(f"int out of range: {value}")
    if isinstance(value, (str, bytes)):
        # Bytes go out as a raw string too: Serf's msgpack codec predates the bin types, and
        # decodes a raw string into a []byte field (such as an event's Payload) unchanged.
        data = value.encode() if isinstance(value, str) else value
        if len(data) < 32:
            return bytes([0xA0 | len(data)]) + data
        if len(data) < 0x10000:
            return b"\xda" + struct.pack(">H", len(data)) + data
        return b"\xdb" + struct.pack(">I", len(data)) + data
    if isinstance(value, (list, tuple)):
        assert len(value) < 16
        return bytes([0x90 | len(value)]) + b"".join(mp_pack(v) for v in value)
    if isinstance(value, dict):
        assert len(value) < 16
        return bytes([0x80 | len(value)]) + b"".join(mp_pack(k) + mp_pack(v) for k, v in value.items())
    raise TypeError(type(value))


def mp_unpack(stream):
    def read(n):
        data = stream.read(n)
        if len(data) != n:
            raise ConnectionError("serf RPC connection closed")
        return data

    def uint(n):
        return int.from_bytes(read(n), "big")

    def items(n):
        return [mp_unpack(stream) for _ in range(n)]

    def mapping(n):
        out = {}
        for _ in range(n):
            key = mp_unpack(stream)
            out[key] = mp_unpack(stream)
        return out

    b = read(1)[0]
    if b <= 0x7F:
        return b
    if b >= 0xE0:
        return b - 0x100
    if 0x80 <= b <= 0x8F:
        return mapping(b & 0x0F)
    if 0x90 <= b <= 0x9F:
        return items(b & 0x0F)
    if 0xA0 <= b <= 0xBF:
        return read(b & 0x1F).decode(errors="replace")
    simple = {0xC0: None, 0xC2: False, 0xC3: True}
    if b in simple:
        return simple[b]
    if b in (0xC4, 0xC5, 0xC6):  # bin 8/16/32
        return read(uint({0xC4: 1, 0xC5: 2, 0xC6: 4}[b]))
    if b in (0xC7, 0xC8, 0xC9):  # ext 8/16/32
        n = uint({0xC7: 1, 0xC8: 2, 0xC9: 4}[b])
        read(1)
        return read(n)
    if b == 0xCA:
        return struct.unpack(">f", read(4))[0]
    if b == 0xCB:
        return struct.unpack(">d", read(8))[0]
    if 0xCC <= b <= 0xCF:  # uint 8..64
        return uint(1 << (b - 0xCC))
    if 0xD0 <= b <= 0xD3:  # int 8..64
        n = 1 << (b - 0xD0)
        return int.from_bytes(read(n), "big", signed=True)
    if 0xD4 <= b <= 0xD8:  # fixext
        read(1)
        return read(1 << (b - 0xD4))
    if b in (0xD9, 0xDA, 0xDB):  # str 8/16/32
        return read(uint({0xD9: 1, 0xDA: 2, 0xDB: 4}[b])).decode(errors="replace")
    if b in (0xDC, 0xDD):
        return items(uint(2 if b == 0xDC else 4))
    if b in (0xDE, 0xDF):
        return mapping(uint(2 if b == 0xDE else 4))
    raise ValueError(f"unknown msgpack byte 0x{b:02x}")


# --------------------------------------------------------------------------------------------
# Clients: our control socket (HTTP/1.1 over a Unix socket) and Serf's RPC (msgpack over TCP).

class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.unix_path)
        self.sock = sock


class AgentClient:
    def __init__(self, socket_path, timeout=30):
        self.conn = UnixHTTPConnection(socket_path, timeout)

    def request(self, method, path, body=None, retry=True):
        headers = {"Content-Type": "application/json"} if body is not None else {}
        payload = json.dumps(body).encode() if body is not None else None
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                if response.status != 200:
                    raise RuntimeError(f"{method} {path}: HTTP {response.status}: {data[:300]!r}")
                return json.loads(data)
            except (ConnectionError, http.client.HTTPException, OSError):
                self.conn.close()
                if attempt == 2 or not retry:
                    raise

    def members(self):
        return {m["name"]: m["status"] for m in self.request("GET", "/v1/members")}

    def join(self, peer):
        results = self.request("POST", "/v1/join", {"peers": [peer]})["results"]
        if not any("node" in r for r in results):
            raise RuntimeError(f"join {peer} failed: {results}")

    def apply(self, file, text):
        """POST /v1/apply, what `agent apply -f FILE` sends; not retried (it is a write)."""
        return self.request("POST", "/v1/apply", {"manifests": [{"file": file, "text": text}]}, retry=False)

    def close(self):
        self.conn.close()


class SerfClient:
    def __init__(self, host, port, timeout=30):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.stream = self.sock.makefile("rb")
        self.seq = 0
        self.call("handshake", {"Version": 1}, response_body=False)

    def call(self, command, body=None, response_body=True):
        self.seq += 1
        message = mp_pack({"Command": command, "Seq": self.seq})
        if body is not None:
            message += mp_pack(body)
        self.sock.sendall(message)
        header = mp_unpack(self.stream)
        if header.get("Error"):
            raise RuntimeError(f"serf {command}: {header['Error']}")
        return mp_unpack(self.stream) if response_body else None

    def members(self):
        return {m["Name"]: m["Status"] for m in self.call("members")["Members"]}

    def join(self, peer):
        if self.call("join", {"Existing": [peer], "Replay": False})["Num"] < 1:
            raise RuntimeError(f"serf join {peer} reached nobody")

    def close(self):
        self.sock.close()


def metrics(address, port=AGENT_METRICS_PORT, timeout=5):
    """One agent's /metrics as {(name, frozenset of label pairs): value}."""
    pattern = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})?\s+([0-9.eE+-]+|NaN|[+-]Inf)\s*$")
    out = {}
    with urllib.request.urlopen(f"http://{address}:{port}/metrics", timeout=timeout) as r:
        for line in r.read().decode().splitlines():
            m = pattern.match(line)
            if m:
                labels = frozenset(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
                out[(m.group(1), labels)] = float(m.group(3))
    return out


# --------------------------------------------------------------------------------------------
# Fleets.

class Fleet:
    """Daemons of one system on one loopback /24 (`net`, e.g. "127.0.60"), numbered from 1.
    Subclasses say how to start one and how to talk to it."""

    def __init__(self, n, workdir, net, label):
        self.n = n
        self.workdir = workdir
        self.net = net
        self.label = label
        self.procs = {}  # index -> Popen
        self.logs = {}   # index -> log path

    def addr(self, i):
        return f"{self.net}.{i}"

    def name(self, i):
        return f"{self.label}{i}"

    def start(self, i, extra=()):
        self.logs[i] = os.path.join(self.workdir, f"{self.label}{i}.log")
        with open(self.logs[i], "ab") as out:
            self.procs[i] = subprocess.Popen([*self.command(i), *extra], stdout=out, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL, start_new_session=True)
        return self.procs[i]

    def start_all(self):
        for i in range(1, self.n + 1):
            self.start(i)

    def wait_ready(self, nodes=None, timeout=90):
        deadline = time.monotonic() + timeout
        for i in nodes if nodes is not None else range(1, self.n + 1):
            while True:
                if self.procs[i].poll() is not None:
                    raise RuntimeError(f"{self.name(i)} exited with {self.procs[i].returncode}; see {self.logs[i]}:\n"
                                       + open(self.logs[i], errors="replace").read()[-2000:])
                try:
                    client = self.client(i, timeout=2)
                    client.members()
                    client.close()
                    break
                except (OSError, RuntimeError, ConnectionError, http.client.HTTPException):
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{self.name(i)} not ready after {timeout} s; see {self.logs[i]}")
                    time.sleep(0.05)

    def pids(self, alive_only=True):
        return {i: p.pid for i, p in self.procs.items() if not alive_only or p.poll() is None}

    def stop(self, nodes=None, grace=10):
        """SIGTERM, then SIGKILL after `grace` seconds; every daemon when `nodes` is None."""
        procs = [self.procs[i] for i in (nodes if nodes is not None else list(self.procs))]
        for p in procs:
            if p.poll() is None:
                try:
                    p.send_signal(signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + grace
        for p in procs:
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def stop_all(self):
        self.stop()


class AgentFleet(Fleet):
    """`agent run` with `--dataplane none`; metrics on NET.I:9950 unless `metrics` is False."""

    def __init__(self, n, workdir, binary, key, net, label="a", metrics=True):
        super().__init__(n, workdir, net, label)
        self.binary, self.key, self.metrics = binary, key, metrics

    def sock(self, i):
        return os.path.join(self.workdir, f"{self.label}{i}.sock")

    def data_dir(self, i):
        return os.path.join(self.workdir, f"{self.label}{i}")

    def command(self, i):
        a = self.addr(i)
        return [self.binary, "run", "--node-name", self.name(i),
                "--bind", f"{a}:{AGENT_PORT}", "--advertise", f"{a}:{AGENT_PORT}",
                "--socket", self.sock(i), "--data-dir", self.data_dir(i),
                "--metrics-addr", f"{a}:{AGENT_METRICS_PORT}" if self.metrics else "off", "--encrypt", self.key,
                "--dataplane", "none", "--log-format", "text"]

    def client(self, i, timeout=30):
        return AgentClient(self.sock(i), timeout)

    def seed(self):
        return f"{self.addr(1)}:{AGENT_PORT}"

    def metric_sum(self, name, labels):
        """Sum of one metric over the live agents, from their /metrics endpoints."""
        total = 0.0
        for i in self.pids():
            for (metric, pairs), value in metrics(self.addr(i)).items():
                if metric == name and all((k, v) in pairs for k, v in labels.items()):
                    total += value
        return total


class SerfFleet(Fleet):
    """`serf agent`, LAN profile; `extra_args` go to every agent (e.g. an event handler)."""

    def __init__(self, n, workdir, binary, key, net, label="s", extra_args=()):
        super().__init__(n, workdir, net, label)
        self.binary, self.key, self.extra_args = binary, key, list(extra_args)

    def command(self, i):
        a = self.addr(i)
        return [self.binary, "agent", "-node", self.name(i), "-bind", f"{a}:{SERF_PORT}",
                "-rpc-addr", f"{a}:{SERF_RPC_PORT}", "-encrypt", self.key, "-log-level", "info", *self.extra_args]

    def client(self, i, timeout=30):
        return SerfClient(self.addr(i), SERF_RPC_PORT, timeout)

    def seed(self):
        return f"{self.addr(1)}:{SERF_PORT}"


# --------------------------------------------------------------------------------------------
# Membership measurements.

def poll_members(fleet, nodes, condition, start, timeout):
    """Poll `members` on each of `nodes` every POLL_INTERVAL (one thread and one connection
    per node) until condition(members) has held on all of them at once. Returns
    {node: seconds from `start` to the poll that last made it true} (None if it never held),
    plus every members list seen and the poll errors, for the caller to inspect."""
    lock = threading.Lock()
    since = {i: None for i in nodes}
    errors = []
    seen = []
    done = threading.Event()

    def loop(i):
        try:
            client = fleet.client(i)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(f"{fleet.name(i)}: {e}")
            return
        next_tick = time.monotonic()
        while not done.is_set():
            try:
                members = client.members()
            except Exception as e:  # noqa: BLE001
                errors.append(f"{fleet.name(i)}: {e}")
                time.sleep(POLL_INTERVAL)
                continue
            now = time.monotonic()
            ok = condition(members)
            with lock:
                seen.append((now - start, i, members))
                if ok and since[i] is None:
                    since[i] = now - start
                elif not ok:
                    since[i] = None
            next_tick += POLL_INTERVAL
            time.sleep(max(0.0, next_tick - time.monotonic()))
        client.close()

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in nodes]
    for t in threads:
        t.start()
    deadline = start + timeout
    while time.monotonic() < deadline:
        with lock:
            if all(v is not None for v in since.values()):
                break
        time.sleep(0.02)
    done.set()
    for t in threads:
        t.join(timeout=5)
    with lock:
        return dict(since), seen, errors


def measure_join(fleet, timeout):
    """Every node but 1 joins node 1, all at once; seconds until all list N alive."""
    n = fleet.n
    joiners = list(range(2, n + 1))
    clients = {i: fleet.client(i, timeout=60) for i in joiners}
    go = threading.Event()
    join_errors = []

    def join(i):
        go.wait()
        try:
            clients[i].join(fleet.seed())
        except Exception as e:  # noqa: BLE001
            join_errors.append(f"{fleet.name(i)}: {e}")

    threads = [threading.Thread(target=join, args=(i,), daemon=True) for i in joiners]
    for t in threads:
        t.start()
    time.sleep(0.2)  # let every thread reach go.wait()
    start = time.monotonic()
    go.set()
    since, _, errors = poll_members(fleet, range(1, n + 1),
                                    lambda m: sum(1 for s in m.values() if s == "alive") == n,
                                    start, timeout)
    for t in threads:
        t.join(timeout=60)
    for c in clients.values():
        c.close()
    if join_errors:
        log(f"{fleet.label}: join errors: {join_errors[:5]}")
    if errors:
        log(f"{fleet.label}: poll errors during join: {errors[:5]}")
    return since


# --------------------------------------------------------------------------------------------
# /proc and formatting.

def status_kib(pid, field="VmRSS"):
    """A memory line of /proc/PID/status in KiB: VmRSS (all resident pages, shared library
    pages included), VmHWM (the peak of VmRSS) or RssAnon (the process's own heap and stacks)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def du_bytes(path):
    """Bytes of the regular files under `path` (their sizes, not their blocks)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except FileNotFoundError:
                pass
    return total


def fmt(value, digits=1):
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return f"{value:,.{digits}f}"


def ratio(a, b):
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)) or b == 0:
        return "—"
    return f"{a / b:.2f}"


def all_time(since, timeout):
    if any(v is None for v in since.values()):
        got = sum(1 for v in since.values() if v is not None)
        return f"> {timeout:.0f} ({got}/{len(since)} nodes)"
    return max(since.values())


def machine_line(agent_binary, serf_binary=None):
    """One line naming the CPUs, the OS and the versions measured."""
    import platform
    cpu_model = ""
    try:
        cpu_model = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except StopIteration:
        pass
    parts = [f"{os.cpu_count()} CPUs ({cpu_model})", platform.platform()]
    if serf_binary:
        parts.append(subprocess.run([serf_binary, "version"], capture_output=True, text=True).stdout.splitlines()[0])
    parts.append("agent " + subprocess.run([agent_binary, "version"], capture_output=True, text=True).stdout.strip())
    return ", ".join(parts)
