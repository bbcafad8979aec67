#!/usr/bin/env python3
"""The embedded manager under concurrent real docker CLI clients, and killed while they write.

`swarmsafe serve` on a state directory and N clients, each a thread running real `docker`
commands one after another (`service create --detach`, `service update --detach`, `service rm`,
`secret create`, `secret rm`) for a bounded time. Half of a client's commands work on names only
it uses, so it knows what each must answer and what the folder must hold afterwards; the other
half work on a small pool of names every client shares, so commands race and Docker's own
conflict answers (name in use, update out of sequence, no such object, secret in use) are
expected there. Any other failure is an error.

Then, after serve stops, the folder is replayed by our offline reader (`swarmsafe dump
objects`) and judged:
- a name only one client used holds exactly what that client's last successful command left
  (present or gone, and the `gen` label of its last update);
- a shared name: a create succeeds only while the name is free and a remove only while it is
  taken, so the successful creates and removes of one name alternate, and the name is there
  exactly when the name was there before plus successful creates minus successful removes is 1;
- no name twice, nothing else changed.

--kill-rounds N then repeats N times: clients write, serve is SIGKILLed after a random delay,
the folder is replayed and judged again (a command that had not returned when serve died may
have happened or not; every command that exited 0 before the kill must be there), and serve is
started again on the same folder and socket, where `docker service ls` / `secret ls` must list
what the replay holds. The last serve is stopped with SIGTERM (exit 0 expected) and judged once
more — unless --end-killed, which leaves the folder as the last kill left it, for a real dockerd
to boot.

Reported: commands per second and their latency (the whole docker CLI process, as a user sees
it), against a baseline in the same run (the same number of clients running `docker version`);
with --count-requests, the Engine API requests per command, counted through a proxy in a short
calibration first, and so requests per second; the server's RSS once booted and its peak
(VmHWM), checked against --max-rss-mib. Exit status 0 only when nothing was lost, nothing failed but Docker's
conflicts, and memory stayed under the cap. --result FILE writes the final replay's service and
secret names, and the services' gen labels, as JSON.

usage: Benchmarks/serve_cli_load.py --bin PATH/TO/swarmsafe --state-dir DIR [--clients 16] [--seconds 20]
                                    [--kill-rounds 0] [--max-rss-mib 1024] [--seed N] [--result FILE] [--docker PATH]
                                    [--snapshot-interval N] [--end-killed] [--commands-log FILE] [--count-requests]
The state directory must be a one-manager state (recover --force-new-cluster first, or one
Docker made); it is written to. Needs the docker CLI.
"""
import argparse, json, os, random, re, signal, socket, subprocess, sys, tempfile, threading, time

IMAGE = "local/busybox:1"
PREFIX = "load-"
OWNED_SERVICES, OWNED_SECRETS, SHARED_SERVICES, SHARED_SECRETS = 3, 2, 6, 4

# Docker's own answers to a command that lost a race with another client's command.
CONFLICT = re.compile(
    r"already exists|name conflicts with an existing object|update out of sequence|"
    r"[Nn]o such (service|secret)|(service|secret) \S+ not found|secret not found|is in use by the following")
# A name only one client uses can lose a race only with the manager itself.
OWNED_CONFLICT = re.compile(r"update out of sequence")


def is_service(name):
    return name.rsplit("-", 1)[1].startswith("s")


def owned_names(clients):
    return [f"{PREFIX}c{c}-s{k}" for c in range(clients) for k in range(OWNED_SERVICES)] \
        + [f"{PREFIX}c{c}-x{k}" for c in range(clients) for k in range(OWNED_SECRETS)]


def shared_names():
    return [f"{PREFIX}sh-s{k}" for k in range(SHARED_SERVICES)] + [f"{PREFIX}sh-x{k}" for k in range(SHARED_SECRETS)]


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


class Serve:
    """One `swarmsafe serve` process, its output in a log file (a pipe nobody reads would
    fill and block it)."""

    def __init__(self, binary, state_dir, socket_path, log_path, timeout=60):
        self.log_path = log_path
        start = os.path.getsize(log_path) if os.path.exists(log_path) else 0
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen([binary, "serve", "--state-dir", state_dir, "--socket", socket_path],
                                            stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"serve exited with {self.process.returncode}: {self.tail()}")
            if self.serving_since(start): return
            time.sleep(0.05)
        self.process.kill()
        self.process.wait(timeout=10)
        raise SystemExit(f"serve did not start within {timeout} s: {self.tail()}")

    def serving_since(self, start):
        with open(self.log_path, "rb") as f:
            f.seek(start)
            return b"serving" in f.read()

    def tail(self, lines=20):
        with open(self.log_path, "rb") as f:
            return b"\n".join(f.read().splitlines()[-lines:]).decode(errors="replace")

    def memory_mib(self, field):
        """VmHWM (the peak) or VmRSS (now) of the server, in MiB."""
        with open(f"/proc/{self.process.pid}/status") as f:
            return next((int(line.split()[1]) / 1024 for line in f if line.startswith(field + ":")), float("nan"))

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            return None


class Ledger:
    """What the clients did, and what the folder must therefore hold."""

    def __init__(self, clients):
        self.clients = clients
        self.lock = threading.Lock()
        self.commands = []          # (kind, seconds, outcome) with outcome ok | conflict | unknown | error
        self.errors = []
        self.conflicts = {}         # Docker's answer -> how many times
        self.log = None             # --commands-log: every command, one JSON line each
        # Names one client owns: the state its last successful command left (None: absent; a
        # service's gen label; True: a secret); the command it had not finished when serve died.
        self.owned = {}
        self.owned_in_flight = {}
        # Shared names: present before the round, and this round's successful and unfinished
        # creates and removes.
        self.shared_before = {}
        self.shared = {}

    def shared_counts(self, name):
        return self.shared.setdefault(name, {"created": 0, "removed": 0, "create?": 0, "remove?": 0})


class Kill:
    """When serve was killed under the clients (perf_counter), or None."""
    at = None


class Client(threading.Thread):
    def __init__(self, number, cli, environment, ledger, stop, killed, rng):
        super().__init__(daemon=True)
        self.number, self.cli, self.environment = number, cli, environment
        self.ledger, self.stop, self.killed, self.rng = ledger, stop, killed, rng
        self.generation = 0

    def docker(self, arguments, stdin=None):
        """Exit status, stderr, seconds, and when it ended."""
        started = time.perf_counter()
        try:
            result = subprocess.run(self.cli + arguments, input=stdin, capture_output=True,
                                    env=self.environment, timeout=60)
            status, stderr = result.returncode, result.stderr.decode(errors="replace").strip()
        except subprocess.TimeoutExpired:
            status, stderr = -1, "timed out after 60 s"
        ended = time.perf_counter()
        return status, stderr, ended - started, ended

    def command(self, kind, name):
        self.generation += 1
        gen = f"{self.number}.{self.generation}"
        if kind == "service create":
            secret = []
            if name.startswith(PREFIX + "sh-") and self.rng.random() < 0.3:
                secret = ["--secret", f"{PREFIX}sh-x{self.rng.randrange(SHARED_SECRETS)}"]
            arguments = ["service", "create", "--detach", "--name", name, "--label", f"gen={gen}", "--replicas", "1"] \
                + secret + [IMAGE, "sleep", "1d"]
        elif kind == "service update":
            arguments = ["service", "update", "--detach", "--label-add", f"gen={gen}", name]
        elif kind == "service rm":
            arguments = ["service", "rm", name]
        elif kind == "secret create":
            return gen, *self.docker(["secret", "create", name, "-"], stdin=gen.encode())
        else:
            arguments = ["secret", "rm", name]
        return gen, *self.docker(arguments)

    def outcome(self, status, stderr, ended, conflicts):
        if status == 0: return "ok"
        if conflicts.search(stderr): return "conflict"
        # Serve died under it: it may have happened or not. A command that could not connect
        # had no effect, which "either way" covers.
        if self.killed.at is not None and ended >= self.killed.at: return "unknown"
        return "error"

    def record(self, kind, name, seconds, outcome, stderr, status, ended):
        with self.ledger.lock:
            self.ledger.commands.append((kind, seconds, outcome))
            if self.ledger.log:
                self.ledger.log.write(json.dumps({"client": self.number, "command": kind, "name": name, "status": status,
                                                  "outcome": outcome, "seconds": round(seconds, 4), "ended": round(ended, 4),
                                                  "stderr": stderr[-500:]}) + "\n")
            if outcome == "error": self.ledger.errors.append((kind, name, stderr[-300:]))
            if outcome == "conflict":
                # The answer with names and IDs taken out, so that like answers count together.
                answer = re.sub(r"[a-z0-9]{25}", "ID", stderr.splitlines()[-1] if stderr else "").replace(name, "NAME")
                answer = re.sub(PREFIX + r"[a-z0-9-]+", "NAME", answer)
                self.ledger.conflicts[f"{kind}: {answer}"] = self.ledger.conflicts.get(f"{kind}: {answer}", 0) + 1

    def owned_step(self):
        ledger = self.ledger
        if self.rng.random() < 0.6:
            name = f"{PREFIX}c{self.number}-s{self.rng.randrange(OWNED_SERVICES)}"
            state = ledger.owned.get(name)
            kind = "service create" if state is None else self.rng.choice(["service update", "service update", "service rm"])
        else:
            name = f"{PREFIX}c{self.number}-x{self.rng.randrange(OWNED_SECRETS)}"
            kind = "secret create" if ledger.owned.get(name) is None else "secret rm"
        gen, status, stderr, seconds, ended = self.command(kind, name)
        outcome = self.outcome(status, stderr, ended, OWNED_CONFLICT)
        self.record(kind, name, seconds, outcome, stderr, status, ended)
        with ledger.lock:
            after = {"service create": gen, "service update": gen, "secret create": True}.get(kind)
            if outcome == "ok":
                ledger.owned[name] = after
            elif outcome == "unknown":
                ledger.owned_in_flight[name] = after

    def shared_step(self):
        if self.rng.random() < 0.6:
            name = f"{PREFIX}sh-s{self.rng.randrange(SHARED_SERVICES)}"
            kind = self.rng.choice(["service create", "service update", "service rm"])
        else:
            name = f"{PREFIX}sh-x{self.rng.randrange(SHARED_SECRETS)}"
            kind = self.rng.choice(["secret create", "secret rm"])
        _, status, stderr, seconds, ended = self.command(kind, name)
        outcome = self.outcome(status, stderr, ended, CONFLICT)
        self.record(kind, name, seconds, outcome, stderr, status, ended)
        key = {("create", "ok"): "created", ("rm", "ok"): "removed",
               ("create", "unknown"): "create?", ("rm", "unknown"): "remove?"}.get((kind.split()[1], outcome))
        if key:
            with self.ledger.lock:
                self.ledger.shared_counts(name)[key] += 1

    def run(self):
        while not self.stop.is_set():
            if self.rng.random() < 0.5:
                self.owned_step()
            else:
                self.shared_step()


def replay(binary, state_dir):
    """Services (name -> gen label) and secret names, as our offline reader replays the folder;
    and the names found twice."""
    def objects(kind):
        result = subprocess.run([binary, "dump", "objects", kind, "--state-dir", state_dir], capture_output=True, timeout=300)
        if result.returncode != 0:
            raise SystemExit(f"dump failed ({result.returncode}): {result.stderr.decode(errors='replace')[-500:]}")
        return [json.loads(line)["spec"]["annotations"] for line in result.stdout.splitlines()]
    services, secrets, duplicates = {}, set(), []
    for annotations in objects("service"):
        if annotations["name"] in services: duplicates.append(annotations["name"])
        services[annotations["name"]] = annotations.get("labels", {}).get("gen")
    for annotations in objects("secret"):
        if annotations["name"] in secrets: duplicates.append(annotations["name"])
        secrets.add(annotations["name"])
    return services, secrets, duplicates


def present(name, services, secrets):
    """A name's state in a replay, as the ledger writes it."""
    if is_service(name):
        return (services[name] or "(no gen label)") if name in services else None
    return True if name in secrets else None


def judge(ledger, before, after, round_name):
    """Problems of `after` (a replay) given `before` and what the clients did in between, and
    how many objects of the load the acknowledged writes leave. Sets `ledger.landed`: how many
    unfinished commands on names one client owns took effect (the kill came after the write and
    before its answer)."""
    (services_before, secrets_before), (services, secrets, duplicates) = before, after
    problems = [f"{round_name}: {name} appears twice" for name in duplicates]
    for kind, old, new in (("service", set(services_before), set(services)), ("secret", secrets_before, secrets)):
        for name in sorted(old ^ new):
            if not name.startswith(PREFIX):
                problems.append(f"{round_name}: {kind} {name}, not ours, {'vanished' if name in old else 'appeared'}")
            elif name not in ledger.owned and name not in ledger.shared_before:
                problems.append(f"{round_name}: {kind} {name}, a name no client uses, {'vanished' if name in old else 'appeared'}")
    expected, landed = 0, 0
    for name in owned_names(ledger.clients):
        state = ledger.owned.get(name)
        actual = present(name, services, secrets)
        expected += state is not None
        allowed = [state] + ([ledger.owned_in_flight[name]] if name in ledger.owned_in_flight else [])
        landed += name in ledger.owned_in_flight and actual == ledger.owned_in_flight[name] != state
        if actual not in allowed:
            problems.append(f"{round_name}: {name} is {describe(actual)}, acknowledged {describe(state)}"
                            + (f" (or {describe(allowed[1])} in flight)" if len(allowed) > 1 else ""))
    for name in shared_names():
        counts = ledger.shared_counts(name)
        was = 1 if ledger.shared_before.get(name) else 0
        now = 1 if (name in services or name in secrets) else 0
        settled = was + counts["created"] - counts["removed"]
        expected += settled
        if settled not in (0, 1):
            problems.append(f"{round_name}: {name}: {counts['created']} creates and {counts['removed']} removes acknowledged"
                            f" from {'present' if was else 'absent'}: they cannot alternate")
        elif not (settled - counts["remove?"] <= now <= settled + counts["create?"]):
            problems.append(f"{round_name}: {name} {'present' if now else 'absent'}, but acknowledged writes leave it"
                            f" {'present' if settled else 'absent'} ({counts})")
    ledger.landed = landed
    return problems, expected


def describe(state):
    return "absent" if state is None else "present" if state is True else f"gen={state}"


def rebase(ledger, services, secrets):
    """The replay, once judged, is what the next round starts from."""
    ledger.owned = {name: present(name, services, secrets) for name in owned_names(ledger.clients)}
    ledger.owned_in_flight = {}
    ledger.shared_before = {name: (name in services or name in secrets) for name in shared_names()}
    ledger.shared = {}


def load_objects(services, secrets):
    return sum(1 for name in list(services) + list(secrets) if name.startswith(PREFIX))


def listed(cli, environment, kind):
    result = subprocess.run(cli + [kind, "ls", "--format", "{{.Name}}"], capture_output=True,
                            env=environment, timeout=60)
    if result.returncode != 0:
        raise SystemExit(f"docker {kind} ls failed: {result.stderr.decode(errors='replace')}")
    return sorted(result.stdout.decode().split())


def drive(args, ledger, cli, environment, rng, seconds, kill=None):
    """Clients write for `seconds`; then they stop, or serve is killed under them. Returns the
    wall time."""
    stop, killed = threading.Event(), Kill()
    clients = [Client(i, cli, environment, ledger, stop, killed, random.Random(rng.random())) for i in range(args.clients)]
    started = time.perf_counter()
    for client in clients: client.start()
    time.sleep(seconds)
    if kill:
        # No client starts a command after this; the ones running now are in flight.
        stop.set()
        killed.at = time.perf_counter()
        kill()
    else:
        stop.set()
    for client in clients: client.join(timeout=120)
    if any(client.is_alive() for client in clients): raise SystemExit("a client did not finish within 120 s")
    return time.perf_counter() - started


def compare_lists(cli, environment, replayed, when):
    """What the docker CLI lists through serve against what the replay holds."""
    problems = []
    for kind, expected in (("service", set(replayed[0])), ("secret", set(replayed[1]))):
        shown = set(listed(cli, environment, kind))
        if shown != expected:
            problems.append(f"{when}: docker {kind} ls shows {sorted(shown - expected)} the replay lacks,"
                            f" lacks {sorted(expected - shown)} the replay holds")
    return problems


class CountingProxy:
    """A unix socket in front of serve's that counts the HTTP requests passing through it: the
    docker CLI opens a connection per command and sends its requests on it one after another,
    so request lines are counted in what each connection sent, once it closes. Used for a short
    calibration only (it adds a hop), to turn commands per second into requests per second."""

    REQUEST = re.compile(rb"(?:GET|HEAD|POST|PUT|DELETE) /\S* HTTP/1\.[01]\r\n")

    def __init__(self, path, upstream):
        self.path, self.upstream, self.requests, self.lock = path, upstream, 0, threading.Lock()
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        self.listener.listen(64)
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(client,), daemon=True).start()

    def serve(self, client):
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.connect(self.upstream)
        threading.Thread(target=self.pump, args=(server, client, None), daemon=True).start()
        sent = bytearray()
        self.pump(client, server, sent)
        with self.lock:
            self.requests += len(self.REQUEST.findall(bytes(sent)))

    @staticmethod
    def pump(source, destination, record):
        try:
            while True:
                data = source.recv(65536)
                if not data: break
                if record is not None: record.extend(data)
                destination.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, destination):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.listener.close()
        os.unlink(self.path)


def calibrate(args, ledger, cli_to, environment, rng, work, socket_path, seconds=2.0):
    """Engine API requests per docker command, the same mix through a CountingProxy."""
    proxy = CountingProxy(os.path.join(work, "counting.sock"), socket_path)
    try:
        ledger.commands = []
        drive(args, ledger, cli_to(proxy.path), environment, rng, seconds)
        commands = len(ledger.commands)
        time.sleep(0.2)  # the last connections' counting threads
        with proxy.lock:
            return proxy.requests / commands if commands else float("nan")
    finally:
        proxy.close()
        ledger.commands, ledger.conflicts = [], {}


def baseline(args, cli, environment, seconds):
    """The same number of clients running `docker version` (a ping and one small request)
    through the same socket: what the docker CLI itself costs on this machine, so the write
    latencies read as a ratio to it."""
    latencies, stop = [], threading.Event()
    def client():
        while not stop.is_set():
            started = time.perf_counter()
            result = subprocess.run(cli + ["version", "--format", "{{.Server.Version}}"], capture_output=True,
                                    env=environment, timeout=60)
            if result.returncode != 0: raise SystemExit(f"docker version failed: {result.stderr.decode(errors='replace')}")
            latencies.append(time.perf_counter() - started)
    threads = [threading.Thread(target=client, daemon=True) for _ in range(args.clients)]
    started = time.perf_counter()
    for thread in threads: thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads: thread.join(timeout=120)
    return latencies, time.perf_counter() - started


def report_load(args, ledger, elapsed, peak, idle, idle_elapsed, per_command):
    ms = lambda s: s * 1000
    commands = ledger.commands
    answered = [c for c in commands if c[2] in ("ok", "conflict")]
    acknowledged = [c for c in commands if c[2] == "ok"]
    conflicts = [c for c in commands if c[2] == "conflict"]
    latencies = [c[1] for c in answered]
    print(f"machine: {os.cpu_count()} cores; {args.clients} docker CLI clients for {elapsed:.1f} s on {args.state_dir}")
    print(f"commands: {len(commands)} ({len(answered) / elapsed:.1f}/s answered); acknowledged writes: {len(acknowledged)}"
          f" ({len(acknowledged) / elapsed:.1f}/s); conflicts: {len(conflicts)}; errors: {len(ledger.errors)}")
    if per_command:
        print(f"Engine API requests: {per_command:.2f} per command (counted in a calibration through a proxy),"
              f" so about {per_command * len(commands) / elapsed:.0f} requests/s")
    print(f"command latency p50 {ms(percentile(latencies, 50)):.0f} ms, p99 {ms(percentile(latencies, 99)):.0f} ms,"
          f" max {ms(max(latencies, default=float('nan'))):.0f} ms")
    print(f"baseline, {args.clients} clients running docker version: {len(idle) / idle_elapsed:.1f}/s,"
          f" p50 {ms(percentile(idle, 50)):.0f} ms, p99 {ms(percentile(idle, 99)):.0f} ms;"
          f" writes/baseline p50 {percentile(latencies, 50) / percentile(idle, 50):.1f}x,"
          f" p99 {percentile(latencies, 99) / percentile(idle, 99):.1f}x")
    for kind in ("service create", "service update", "service rm", "secret create", "secret rm"):
        samples = [c[1] for c in answered if c[0] == kind]
        if samples:
            print(f"  {kind:15s} n={len(samples):5d} ok={sum(1 for c in acknowledged if c[0] == kind):5d}"
                  f" conflicts={sum(1 for c in conflicts if c[0] == kind):4d}"
                  f"  p50 {ms(percentile(samples, 50)):6.0f} ms  p99 {ms(percentile(samples, 99)):6.0f} ms")
    print(f"server peak RSS: {peak:.1f} MiB (cap {args.max_rss_mib} MiB)")
    print("conflict answers:")
    for answer, count in sorted(ledger.conflicts.items(), key=lambda item: -item[1]):
        print(f"  {count:4d}  {answer}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--state-dir", required=True)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--kill-rounds", type=int, default=0)
    ap.add_argument("--max-rss-mib", type=float, default=1024)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--result")
    ap.add_argument("--docker", default="docker", help="the docker CLI the clients run")
    ap.add_argument("--count-requests", action="store_true",
                    help="first run the mix for 2 s through a request-counting proxy, to report requests per second")
    ap.add_argument("--commands-log", help="write every command (client, name, exit status, outcome, seconds, stderr) as JSON lines")
    ap.add_argument("--end-killed", action="store_true",
                    help="leave the folder as the last kill left it (for a real dockerd to boot), not restarted by serve")
    ap.add_argument("--snapshot-interval", type=int, default=0,
                    help="first `docker swarm update --snapshot-interval N`, so that snapshots are cut under the load and the kills")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    print(f"seed: {seed}")
    rng = random.Random(seed)
    # In /tmp, not a deep $TMPDIR: unix socket paths are limited to 108 bytes.
    work = tempfile.mkdtemp(prefix="swarmsafe-cli-load-", dir="/tmp")
    socket_path = os.path.join(work, "docker.sock")
    cli = [args.docker, "-H", f"unix://{socket_path}"]
    log_path = os.path.join(work, "serve.log")
    environment = {name: value for name, value in os.environ.items()
                   if name not in ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH")}
    environment.update(DOCKER_CONFIG=os.path.join(work, "docker-config"), DOCKER_CLI_HINTS="false")
    ledger = Ledger(args.clients)
    if args.commands_log: ledger.log = open(args.commands_log, "w")
    problems = []
    serve = None
    try:
        services, secrets, duplicates = replay(args.bin, args.state_dir)
        if duplicates: raise SystemExit(f"the folder holds duplicate names before the load: {duplicates}")
        rebase(ledger, services, secrets)
        before = (services, secrets)

        serve = Serve(args.bin, args.state_dir, socket_path, log_path)
        if args.snapshot_interval:
            result = subprocess.run(cli + ["swarm", "update", "--snapshot-interval", str(args.snapshot_interval)],
                                    capture_output=True, env=environment, timeout=60)
            if result.returncode != 0: raise SystemExit(f"swarm update failed: {result.stderr.decode(errors='replace')}")
        rss_before = serve.memory_mib("VmRSS")
        idle, idle_elapsed = baseline(args, cli, environment, min(3.0, max(1.0, args.seconds / 4)))
        per_command = calibrate(args, ledger, lambda path: [args.docker, "-H", f"unix://{path}"], environment, rng,
                                work, socket_path) if args.count_requests else None
        elapsed = drive(args, ledger, cli, environment, rng, args.seconds)
        peak, rss_after = serve.memory_mib("VmHWM"), serve.memory_mib("VmRSS")
        status = serve.stop()
        serve = None
        report_load(args, ledger, elapsed, peak, idle, idle_elapsed, per_command)
        print(f"server RSS once booted {rss_before:.1f} MiB, after the load {rss_after:.1f} MiB")
        if status != 0: problems.append(f"serve exited with {status} on SIGTERM")
        if peak > args.max_rss_mib: problems.append(f"serve peak RSS {peak:.1f} MiB over the cap of {args.max_rss_mib} MiB")
        if not any(c[2] == "ok" for c in ledger.commands): problems.append("no write was acknowledged")
        after = replay(args.bin, args.state_dir)
        found, expected = judge(ledger, before, after, "after the load")
        problems += found
        print(f"replay: {load_objects(after[0], after[1])} objects of the load; acknowledged writes leave {expected};"
              f" lost or wrong: {len(found)}")
        rebase(ledger, after[0], after[1])
        before = after[:2]

        for round_number in range(1, args.kill_rounds + 1):
            ledger.commands = []
            serve = Serve(args.bin, args.state_dir, socket_path, log_path)
            problems += compare_lists(cli, environment, before, f"kill round {round_number}, serve started")
            delay = rng.uniform(0.3, 2.5)
            drive(args, ledger, cli, environment, rng, delay, kill=serve.kill)
            serve = None
            acknowledged = sum(1 for c in ledger.commands if c[2] == "ok")
            in_flight = sum(1 for c in ledger.commands if c[2] == "unknown")
            after = replay(args.bin, args.state_dir)
            found, expected = judge(ledger, before, after, f"kill round {round_number}")
            problems += found
            print(f"kill round {round_number}: SIGKILL after {delay:.2f} s; {acknowledged} writes acknowledged,"
                  f" {in_flight} commands in flight ({ledger.landed} of the owned ones took effect); replay: {load_objects(after[0], after[1])} objects of the load,"
                  f" acknowledged writes leave {expected} (in flight either way); lost or wrong: {len(found)}")
            rebase(ledger, after[0], after[1])
            before = after[:2]

        if args.kill_rounds and not args.end_killed:
            # Started again after the last kill: it lists the replay, takes writes, stops cleanly.
            ledger.commands = []
            serve = Serve(args.bin, args.state_dir, socket_path, log_path)
            problems += compare_lists(cli, environment, before, "after the last kill, serve started")
            drive(args, ledger, cli, environment, rng, 1.0)
            status = serve.stop()
            serve = None
            if status != 0: problems.append(f"serve exited with {status} on SIGTERM after the kills")
            after = replay(args.bin, args.state_dir)
            found, expected = judge(ledger, before, after, "after the kills")
            problems += found
            print(f"after the kills: serve restarted, {sum(1 for c in ledger.commands if c[2] == 'ok')} more writes"
                  f" acknowledged, stopped with {status}; lost or wrong: {len(found)}")
            before = after[:2]

        problems += [f"error: docker {kind} {name}: {stderr}" for kind, name, stderr in ledger.errors]
        if args.result:
            with open(args.result, "w") as f:
                json.dump({"services": sorted(before[0]), "secrets": sorted(before[1]),
                           "gen": {name: gen for name, gen in before[0].items() if gen}}, f)
        print(f"final replay: {len(before[0])} services, {len(before[1])} secrets")
        print(f"lost or wrong: {len([p for p in problems if not p.startswith('error: ')])}; errors: {len(ledger.errors)}")
        for problem in problems[:20]: print("PROBLEM", problem)
        if problems: sys.exit(1)
        print("ok")
    finally:
        if serve: serve.stop()
        if ledger.log: ledger.log.close()
        subprocess.run(["rm", "-rf", work])


if __name__ == "__main__":
    main()
