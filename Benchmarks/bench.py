#!/usr/bin/env python3
"""swarmsafe benchmarks on a large real state (bench-large: 3000 services, 7800 tasks, a 4 MB
snapshot and a 20 MB log tail in a 64 MB preallocated segment). Not part of the test suite.

Figures are medians over several runs, and each is also given as a ratio to a baseline
measured in the same run, so runs on different machines can be compared. Every case runs
once untimed first, so all of them find the page cache in the same (warm) state.

--suite read (default): `dump objects service`, `inspect`, `decrypt` against sha256sum of the
  same folder (reading every byte once).
--suite backup: `backup` (zstd; age-encrypted to a recipient), `verify`, `restore` against
  `tar -czf` of the whole folder (what Docker's documentation amounts to), archive sizes; then
  the log is grown to ten times the original's data with our own WAL writer (the test
  appender, real encrypted payloads, 64,000,000-byte segments) and backup and verify, plain and
  encrypted, are run on both states: their peak memory should not grow with the log. Needs
  age-keygen; peak memory is taken with GNU time when /usr/bin/time exists (see measure).

--suite serve: the embedded manager on bench-large (recovered to one manager first, as `check`
  does): boot to serving (`swarmsafe serve` until its ready line) and the server's peak RSS
  (VmHWM) against `inspect --json` (load + replay, the floor of any boot); then `docker service
  ls` (with ?status=true: every service's task counts), right after the ready line and again,
  against `docker version` (a ping and one small request) through the same socket. Needs the
  docker CLI.

--suite engine: the same boot to a first complete `docker service ls` (the list an operator
  reads, with REPLICAS), swarmsafe serve against a real dockerd (Debian's docker.io) on copies
  of the same recovered folder: from spawning the engine to the full list, and the engine's
  peak memory, alternating run by run (Benchmarks/engine_boot.py is one boot and times it).
  Needs dockerd, containerd and the docker CLI; run as root.

--suite s3: `backup` to an S3 bucket of a real S3-protocol server (moto's server mode on a
  loopback address of its own; the AWS CLI creates the bucket) against `backup` to a local
  folder, wall time and peak memory, alternating run by run; then `restore` streamed from the
  bucket against `restore` of the same archive from a local file. Needs moto_server and aws.

usage: Benchmarks/bench.py [--suite read|backup|serve|engine|s3] [--runs N] [--fixture PATH/TO/bench-large.tar.gz]
                           [--bin PATH] [--scratch-path DIR] [--growth N]
"""
import argparse, json, os, re, resource, shutil, statistics, subprocess, sys, tempfile, time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)

GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None

def measure(cmd, env=None):
    """Wall seconds and peak RSS (MiB) of one child process.

    The peak is the child's ru_maxrss from wait4. Linux carries the RSS high-water mark of
    the process an exec replaces into the new program, and Python starts children with vfork,
    so a direct child never reports less than this script's own peak (15 MiB, more after it
    has read a big file). With GNU time installed the command runs under it instead: time's
    child starts from time's 1 MiB, and time reports that child's ru_maxrss (`-f %M`)."""
    report = None
    if GNU_TIME:
        fd, report = tempfile.mkstemp(prefix="swarmsafe-bench-rss-")
        os.close(fd)
        cmd = [GNU_TIME, "-f", "%M", "-o", report] + cmd
    try:
        start = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"failed: {' '.join(cmd)}: {p.stderr.read().decode()[-300:]}")
        if report:
            with open(report) as f:
                return wall, int(f.read().split()[-1]) / 1024.0
        return wall, usage.ru_maxrss / 1024.0
    finally:
        if report: os.remove(report)

def build(args, products):
    """Release binaries of `products`; returns the folder they are in."""
    scratch = ["--scratch-path", args.scratch_path] if args.scratch_path else []
    for product in products:
        subprocess.run(["swift", "build", "-c", "release", "--product", product] + scratch, cwd=root, check=True,
                       stdout=subprocess.DEVNULL)
    return subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"] + scratch, cwd=root, check=True,
                          capture_output=True, text=True).stdout.strip()

def timed(cases, runs, before=None, after=None):
    """Medians of (wall, peak RSS) per case, each case warmed up once first; `before` and
    `after` are called around every run with the case's name."""
    results = {}
    for name, cmd in cases.items():
        def once():
            if before: before(name)
            result = measure(cmd)
            if after: after(name)
            return result
        once()  # warm the page cache and the binary
        samples = [once() for _ in range(runs)]
        results[name] = (statistics.median(r[0] for r in samples), statistics.median(r[1] for r in samples))
    return results

def read_suite(args, work):
    state = os.path.join(work, "bench-large", "manager-1")
    files = [os.path.join(d, f) for d, _, fs in os.walk(state) for f in fs]
    cases = {
        "baseline: sha256sum of the folder": ["sha256sum"] + files,
        "swarmsafe dump objects service": [args.bin, "dump", "objects", "service", "--state-dir", state],
        "swarmsafe inspect --json": [args.bin, "inspect", "--json", "--state-dir", state],
    }
    out = os.path.join(work, "rewrite-out")
    # decrypt = read + replay-free full rewrite of snapshot and log + fsync: the writer's cost.
    cases["swarmsafe decrypt (read + write + fsync)"] = [args.bin, "decrypt", "--state-dir", state, "--output", out]
    results = timed(cases, args.runs, lambda _: shutil.rmtree(out, ignore_errors=True))
    base = results["baseline: sha256sum of the folder"][0]
    print(f"machine: {os.cpu_count()} cores, {os.uname().machine}, median of {args.runs} runs")
    for name, (wall, rss) in results.items():
        print(f"{name:42s} {wall*1000:8.0f} ms  {rss:7.1f} MiB peak  {wall/base:5.2f}x baseline")
    read = results["swarmsafe inspect --json"][0]
    rewrite = results["swarmsafe decrypt (read + write + fsync)"][0]
    print(f"rewrite / read (decrypt vs inspect): {rewrite/read:.2f}x  (target <= 2x)")

def wal_record_bytes(wal_dir):
    """Bytes of a WAL directory that hold records: each segment up to its first zero length
    word (etcd preallocates segments with zeros)."""
    total = 0
    for name in sorted(os.listdir(wal_dir)):
        if not name.endswith(".wal"):
            continue
        path = os.path.join(wal_dir, name)
        size, offset = os.path.getsize(path), 0
        with open(path, "rb") as f:  # length words only: this script stays small (see measure)
            while offset + 8 <= size:
                f.seek(offset)
                word = int.from_bytes(f.read(8), "little")
                if word == 0:
                    break
                length = word & 0x00FF_FFFF_FFFF_FFFF
                padding = (word >> 56) & 0x7 if word & (1 << 63) else 0
                offset += 8 + length + padding
        total += min(offset, size)
    return total

def raft_dirs(state):
    raft = os.path.join(state, "raft")
    wal = next(os.path.join(raft, d) for d in os.listdir(raft) if d.startswith("wal"))
    snap = next(os.path.join(raft, d) for d in os.listdir(raft) if d.startswith("snap"))
    return wal, snap

def raft_data_bytes(state):
    """Record bytes of the WAL and bytes of the snapshot files: the state's real data."""
    wal, snap = raft_dirs(state)
    return wal_record_bytes(wal), sum(os.path.getsize(os.path.join(snap, f)) for f in os.listdir(snap))

def only_file(folder):
    names = [n for n in os.listdir(folder) if not n.startswith(".")]
    if len(names) != 1:
        sys.exit(f"expected one archive in {folder}, found {names}")
    return os.path.join(folder, names[0])

def grow_state(args, work, state):
    """A copy of `state` grown to args.growth times its data by the test appender (our WAL
    writer, real encrypted payloads, 64,000,000-byte segments), checked with `inspect`."""
    wal_bytes, snap_bytes = raft_data_bytes(state)
    grown = os.path.join(work, "grown", "manager-1")
    shutil.copytree(state, grown, symlinks=True)
    target = args.growth * (wal_bytes + snap_bytes)
    appender = os.path.join(os.path.dirname(args.bin), "swarmsafe-test-appender")
    env = dict(os.environ, APPENDER_TARGET_BYTES=str(target), APPENDER_NO_SLEEP="1")
    started = time.perf_counter()
    grow = subprocess.run([appender, grown, "900", "64000000", "1000000000"], env=env, capture_output=True, text=True)
    if grow.returncode != 0:
        sys.exit(f"appender failed: {grow.stderr[-300:]}")
    grown_wal, grown_snap = raft_data_bytes(grown)
    inspect = subprocess.run([args.bin, "inspect", "--json", "--state-dir", grown], capture_output=True, text=True)
    if inspect.returncode != 0:
        sys.exit(f"inspect of the grown state failed: {inspect.stderr[-300:]}")
    raft = json.loads(inspect.stdout)["raft"]
    print(f"grown state ({time.perf_counter()-started:.0f} s to write): {grown_wal/1e6:.1f} MB of WAL records "
          f"in {len(raft['wal_segments'])} segments, last index {raft['last_index']} "
          f"({grown_wal/wal_bytes:.1f}x the WAL records, {(grown_wal+grown_snap)/(wal_bytes+snap_bytes):.1f}x the data); "
          f"inspect exits 0")
    return grown

def backup_suite(args, work):
    state = os.path.join(work, "bench-large", "manager-1")
    parent = os.path.dirname(state)
    keygen = shutil.which("age-keygen")
    if keygen is None:
        sys.exit("age-keygen is needed for the encrypted case (apt-get install age)")
    keyfile = os.path.join(work, "age-identity.txt")
    made = subprocess.run([keygen, "-o", keyfile], check=True, capture_output=True, text=True)
    recipient = re.search(r"age1[0-9a-z]+", made.stderr + made.stdout).group(0)

    tar_out = os.path.join(work, "manager-1.tar.gz")
    repo, repo_age = os.path.join(work, "repo"), os.path.join(work, "repo-age")
    restored = os.path.join(work, "restored")
    # The archive verify and restore read: one more backup, kept.
    kept = os.path.join(work, "repo-kept")
    subprocess.run([args.bin, "backup", "--state-dir", state, "--repo", kept, "--quiet"], check=True)
    archive = only_file(kept)

    names = {
        "tar": "baseline: tar -czf of the folder",
        "zstd": "swarmsafe backup (zstd)",
        "age": "swarmsafe backup --recipient (zstd+age)",
        "verify": "swarmsafe verify",
        "restore": "swarmsafe restore (fresh folder)",
    }
    cases = {
        names["tar"]: ["tar", "-czf", tar_out, "-C", parent, "manager-1"],
        names["zstd"]: [args.bin, "backup", "--state-dir", state, "--repo", repo, "--quiet"],
        names["age"]: [args.bin, "backup", "--state-dir", state, "--repo", repo_age, "--recipient", recipient, "--quiet"],
        names["verify"]: [args.bin, "verify", archive],
        names["restore"]: [args.bin, "restore", archive, "--state-dir", restored],
    }
    sizes = {}
    def fresh(_):
        # Every run writes into an empty repository (a new archive name needs no new second).
        if os.path.exists(tar_out): os.remove(tar_out)
        for folder in (repo, repo_age, restored):
            shutil.rmtree(folder, ignore_errors=True)
    def size(name):
        for key, output in (("tar", tar_out), ("zstd", repo), ("age", repo_age)):
            if name == names[key]:
                sizes[key] = os.path.getsize(output if key == "tar" else only_file(output))
    results = timed(cases, args.runs, fresh, size)
    fresh("")

    wal_bytes, snap_bytes = raft_data_bytes(state)
    folder_bytes = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(state) for f in fs)
    base = results[names["tar"]][0]
    print(f"machine: {os.cpu_count()} cores, {os.uname().machine}, median of {args.runs} runs")
    print(f"state: {folder_bytes/1e6:.1f} MB on disk; data: {wal_bytes/1e6:.1f} MB of WAL records, "
          f"{snap_bytes/1e6:.1f} MB snapshot")
    for key, name in names.items():
        wall, rss = results[name]
        size = f"  archive {sizes[key]/1e6:6.2f} MB" if key in sizes else ""
        print(f"{name:42s} {wall*1000:8.0f} ms  {rss:7.1f} MiB peak  {wall/base:5.2f}x baseline{size}")
    print(f"backup / tar -czf wall time: {results[names['zstd']][0]/base:.2f}x  (target <= 0.5x); "
          f"encrypted: {results[names['age']][0]/base:.2f}x")
    print(f"archive / tar.gz size: {sizes['zstd']/sizes['tar']:.2f}x  (target <= 1x); "
          f"encrypted: {sizes['age']/sizes['tar']:.2f}x")

    # Flat memory: the same node with ten times the data, appended by our WAL writer.
    grown = grow_state(args, work, state)
    # The same cases on both states: plain and encrypted backup, and verify of what each wrote.
    growth_runs = max(1, min(args.runs, 3))
    scale = {}
    for label, folder in (("1x", state), (f"{args.growth}x", grown)):
        kept_plain, kept_age = os.path.join(work, f"kept-{label}"), os.path.join(work, f"kept-age-{label}")
        subprocess.run([args.bin, "backup", "--state-dir", folder, "--repo", kept_plain, "--quiet"], check=True)
        subprocess.run([args.bin, "backup", "--state-dir", folder, "--repo", kept_age, "--recipient", recipient,
                        "--quiet"], check=True)
        scale[f"backup {label}"] = [args.bin, "backup", "--state-dir", folder, "--repo", repo, "--quiet"]
        scale[f"backup --recipient {label}"] = [args.bin, "backup", "--state-dir", folder, "--repo", repo,
                                                "--recipient", recipient, "--quiet"]
        scale[f"verify {label}"] = [args.bin, "verify", only_file(kept_plain)]
        scale[f"verify --identity {label}"] = [args.bin, "verify", only_file(kept_age), "--identity", keyfile]
    scaled = timed(dict(sorted(scale.items())), growth_runs, lambda _: shutil.rmtree(repo, ignore_errors=True))
    print(f"peak memory against log size ({args.growth}x the data), median of {growth_runs} runs:")
    for what in ("backup", "backup --recipient", "verify", "verify --identity"):
        (t1, m1), (tn, mn) = scaled[f"{what} 1x"], scaled[f"{what} {args.growth}x"]
        print(f"  {what:20s} 1x {t1*1000:6.0f} ms {m1:6.1f} MiB   {args.growth}x {tn*1000:6.0f} ms {mn:6.1f} MiB"
              f"   RSS {mn/m1:4.2f}x  (flat is ~1x)")

def serve_once(args, state, socket):
    """Seconds from spawn to the ready line, the server process, and its stdout."""
    if os.path.exists(socket): os.remove(socket)
    start = time.perf_counter()
    p = subprocess.Popen([args.bin, "serve", "--state-dir", state, "--socket", socket],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = p.stdout.readline().decode()
    ready = time.perf_counter() - start
    if "serving" not in line:
        p.kill()
        sys.exit(f"serve did not start: {line!r}")
    return ready, p

def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")

def serve_suite(args, work):
    docker = shutil.which("docker") or "/usr/local/bin/docker"
    if not os.access(docker, os.X_OK): sys.exit("the serve suite needs the docker CLI")
    state = os.path.join(work, "bench-large", "manager-1")
    subprocess.run([args.bin, "recover", "--force-new-cluster", "--state-dir", state], check=True,
                   stdout=subprocess.DEVNULL)
    socket = os.path.join(work, "docker.sock")
    env = dict(os.environ, DOCKER_CONFIG=os.path.join(work, "docker-config"))
    inspect = timed({"inspect": [args.bin, "inspect", "--json", "--state-dir", state]}, args.runs)["inspect"]
    boots, peaks, lists, pings, firsts = [], [], [], [], []
    serve_once(args, state, socket)[1].terminate()  # warm the page cache and the binary
    for _ in range(args.runs):
        ready, server = serve_once(args, state, socket)
        try:
            boots.append(ready)
            # The first list right after the ready line: whatever the server has not prepared yet.
            start = time.perf_counter()
            subprocess.run([docker, "-H", f"unix://{socket}", "service", "ls"], env=env, check=True, stdout=subprocess.DEVNULL)
            firsts.append(time.perf_counter() - start)
            for samples, cmd in ((pings, ["version"]), (lists, ["service", "ls"])):
                subprocess.run([docker, "-H", f"unix://{socket}"] + cmd, env=env, check=True, stdout=subprocess.DEVNULL)
                start = time.perf_counter()
                subprocess.run([docker, "-H", f"unix://{socket}"] + cmd, env=env, check=True, stdout=subprocess.DEVNULL)
                samples.append(time.perf_counter() - start)
            peaks.append(peak_rss_mib(server.pid))
        finally:
            server.terminate()
            server.wait()
    boot, peak = statistics.median(boots), statistics.median(peaks)
    ls, ping, first = statistics.median(lists), statistics.median(pings), statistics.median(firsts)
    print(f"machine: {os.cpu_count()} cores, {os.uname().machine}, median of {args.runs} runs")
    print(f"{'baseline: inspect --json (load + replay)':42s} {inspect[0]*1000:8.0f} ms  {inspect[1]:7.1f} MiB peak")
    print(f"{'serve: boot to serving':42s} {boot*1000:8.0f} ms  {peak:7.1f} MiB peak  {boot/inspect[0]:5.2f}x baseline"
          "  (target <= 1 s, <= 150 MiB)")
    print(f"{'baseline: docker version':42s} {ping*1000:8.0f} ms")
    print(f"{'docker service ls, first after boot':42s} {first*1000:8.0f} ms  {first/ping:14.2f}x baseline  (target <= 0.5 s)")
    print(f"{'docker service ls, again':42s} {ls*1000:8.0f} ms  {ls/ping:14.2f}x baseline  (target <= 0.5 s)")

def engine_suite(args, work):
    """The embedded manager against a real dockerd on the same folder: from spawning the
    engine to the first `docker service ls` that lists every service, and the engine's peak
    RSS, one boot per run (Benchmarks/engine_boot.py), the two alternating."""
    for tool in ("dockerd", "containerd", "docker"):
        if not shutil.which(tool): sys.exit(f"the engine suite needs {tool} (scripts/install-system-packages.sh)")
    state = os.path.join(work, "bench-large", "manager-1")
    # A one-manager cluster listening on a loopback address of its own (never 0.0.0.0:2377).
    subprocess.run([args.bin, "recover", "--force-new-cluster", "--state-dir", state, "--advertise-addr",
                    "127.0.0.90:2377", "--listen-addr", "127.0.0.90:2377"], check=True, stdout=subprocess.DEVNULL)
    services = int(json.loads(subprocess.run([args.bin, "inspect", "--json", "--state-dir", state], check=True,
                                             capture_output=True, text=True).stdout)["objects"]["services"])
    served, docker_root = os.path.join(work, "served", "swarm"), os.path.join(work, "dockerd-root")
    shutil.copytree(state, served, symlinks=True)
    shutil.copytree(state, os.path.join(docker_root, "swarm"), symlinks=True)
    ctd = os.path.join(work, "containerd")
    os.makedirs(ctd)
    containerd = subprocess.Popen(["containerd", "--root", os.path.join(ctd, "root"), "--state", os.path.join(ctd, "state"),
                                   "--address", os.path.join(ctd, "containerd.sock")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    boot = [sys.executable, os.path.join(here, "engine_boot.py")]
    cases = {
        "serve": boot + ["serve", "--state", served, "--bin", args.bin, "--work", os.path.join(work, "w-serve"),
                         "--expect", str(services)],
        "dockerd": boot + ["dockerd", "--root", docker_root, "--containerd", os.path.join(ctd, "containerd.sock"),
                           "--work", os.path.join(work, "w-dockerd"), "--expect", str(services), "--timeout", "300"],
    }
    try:
        time.sleep(1)
        samples = {name: [] for name in cases}
        for name, cmd in cases.items():
            engine_boot(cmd)  # warm-up: page cache, and dockerd's first boot of the recovered folder
        for _ in range(args.runs):
            for name, cmd in cases.items():
                samples[name].append(engine_boot(cmd))
    finally:
        containerd.terminate()
        containerd.wait()
    print(f"machine: {os.cpu_count()} cores, {os.uname().machine}, median of {args.runs} alternating runs, "
          f"{services} services")
    ratios_wall = [a[0] / b[0] for a, b in zip(samples["serve"], samples["dockerd"])]
    ratios_rss = [a[1] / b[1] for a, b in zip(samples["serve"], samples["dockerd"])]
    for name in cases:
        wall = statistics.median(s[0] for s in samples[name])
        rss = statistics.median(s[1] for s in samples[name])
        print(f"{name + ': boot to a full docker service ls':48s} {wall*1000:8.0f} ms  {rss:7.1f} MiB peak")
    print(f"{'serve / dockerd':48s} {statistics.median(ratios_wall):8.3f}x wall {statistics.median(ratios_rss):6.3f}x memory"
          "  (target <= 0.1x, <= 0.25x)")
    print(f"{'pair by pair, min-max':48s} {min(ratios_wall):.3f}-{max(ratios_wall):.3f}x wall "
          f"{min(ratios_rss):.3f}-{max(ratios_rss):.3f}x memory")

def engine_boot(cmd):
    """Seconds from spawning the engine to its first full list, and the engine's peak RSS
    (MiB), as engine_boot.py times them: the Python interpreter that drives the boot starts
    and exits outside that span, so it weighs on neither engine."""
    run = subprocess.run(cmd, capture_output=True, text=True)
    found = re.search(r"after ([0-9.]+) s, engine peak RSS ([0-9.]+) MiB", run.stderr)
    if run.returncode != 0 or not found:
        sys.exit(f"failed: {' '.join(cmd)}: {run.stderr[-300:]}")
    return float(found.group(1)), float(found.group(2))

def s3_suite(args, work):
    for tool in ("moto_server", "aws"):
        if not shutil.which(tool): sys.exit(f"the s3 suite needs {tool} (scripts/install-system-packages.sh)")
    state = os.path.join(work, "bench-large", "manager-1")
    host, port = f"127.104.{os.getpid() % 250 + 1}.1", 20000 + os.getpid() % 20000
    log = open(os.path.join(work, "moto.log"), "wb")
    moto = subprocess.Popen(["moto_server", "-H", host, "-p", str(port)], stdout=log, stderr=log)
    env = dict(os.environ, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench-secret", AWS_REGION="us-east-1",
               AWS_DEFAULT_REGION="us-east-1", AWS_ENDPOINT_URL=f"http://{host}:{port}")
    try:
        deadline = time.monotonic() + 30
        while subprocess.run(["aws", "s3", "mb", "s3://bench"], env=env, capture_output=True).returncode != 0:
            if time.monotonic() > deadline or moto.poll() is not None: sys.exit("moto_server did not start")
            time.sleep(0.3)
        local_repo = os.path.join(work, "repo")
        cases = {
            "local": [args.bin, "backup", "--state-dir", state, "--repo", local_repo, "--quiet"],
            "s3": [args.bin, "backup", "--state-dir", state, "--repo", "s3://bench/nightly", "--quiet"],
        }
        def fresh():
            shutil.rmtree(local_repo, ignore_errors=True)
            subprocess.run(["aws", "s3", "rm", "--recursive", "s3://bench/nightly/"], env=env, capture_output=True, check=True)
        samples = {name: [] for name in cases}
        for name, cmd in cases.items():  # warm-up
            fresh(); measure(cmd, env)
        for _ in range(args.runs):
            for name, cmd in cases.items():
                fresh(); samples[name].append(measure(cmd, env))
        # Restore: one archive, streamed from the bucket or read from a file.
        fresh()
        subprocess.run(cases["s3"], env=env, check=True)
        key = subprocess.run(["aws", "s3", "ls", "s3://bench/nightly/"], env=env, capture_output=True, text=True,
                             check=True).stdout.split()[-1]
        archive = os.path.join(work, key)
        subprocess.run(["aws", "s3", "cp", f"s3://bench/nightly/{key}", archive], env=env, capture_output=True, check=True)
        restored = os.path.join(work, "restored")
        restores = {
            "restore from a file": [args.bin, "restore", archive, "--state-dir", restored, "--quiet"],
            "restore from S3": [args.bin, "restore", f"s3://bench/nightly/{key}", "--state-dir", restored, "--quiet"],
        }
        restore_samples = {name: [] for name in restores}
        for _ in range(args.runs + 1):
            for name, cmd in restores.items():
                shutil.rmtree(restored, ignore_errors=True)
                restore_samples[name].append(measure(cmd, env))
        for name in restores: restore_samples[name] = restore_samples[name][1:]  # the first was a warm-up
        # Flat memory: the same backup to S3 of a state with ten times the data.
        grown = grow_state(args, work, state)
        scale = {}
        for label, folder in (("1x", state), (f"{args.growth}x", grown)):
            runs = []
            for _ in range(max(1, min(args.runs, 3))):
                fresh()
                runs.append(measure([args.bin, "backup", "--state-dir", folder, "--repo", "s3://bench/nightly", "--quiet"], env))
            scale[label] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
    finally:
        moto.terminate()
        moto.wait()
    size = os.path.getsize(archive)
    print(f"machine: {os.cpu_count()} cores, {os.uname().machine}, median of {args.runs} alternating runs; "
          f"archive {size/1e6:.2f} MB; S3 server: moto on loopback")
    med = lambda xs, i: statistics.median(x[i] for x in xs)
    for name, label in (("local", "backup to a local folder"), ("s3", "backup to S3")):
        print(f"{label:32s} {med(samples[name], 0)*1000:8.0f} ms  {med(samples[name], 1):7.1f} MiB peak")
    wall = statistics.median(a[0] / b[0] for a, b in zip(samples["s3"], samples["local"]))
    rss = statistics.median(a[1] / b[1] for a, b in zip(samples["s3"], samples["local"]))
    print(f"S3 / local backup: wall {wall:.2f}x (target <= 1.5x), peak memory {rss:.2f}x (target <= 1.2x)")
    for name in restores:
        print(f"{name:32s} {med(restore_samples[name], 0)*1000:8.0f} ms  {med(restore_samples[name], 1):7.1f} MiB peak")
    (t1, m1), (tn, mn) = scale["1x"], scale[f"{args.growth}x"]
    print(f"backup to S3, peak memory against log size: 1x {t1*1000:.0f} ms {m1:.1f} MiB, "
          f"{args.growth}x {tn*1000:.0f} ms {mn:.1f} MiB ({mn/m1:.2f}x)")

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--suite", choices=["read", "backup", "serve", "engine", "s3"], default="read")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--fixture", default=os.path.join(root, "..", "shared", "fixtures", "bench-large.tar.gz"))
    ap.add_argument("--bin", default=None, help="swarmsafe binary (the backup suite wants swarmsafe-test-appender beside it)")
    ap.add_argument("--scratch-path", default=None, help="swift build --scratch-path (default .build)")
    ap.add_argument("--growth", type=int, default=10, help="backup suite: how many times the data to grow the log to")
    args = ap.parse_args()
    if args.bin is None:
        products = ["swarmsafe"] + (["swarmsafe-test-appender"] if args.suite in ("backup", "s3") else [])
        args.bin = os.path.join(build(args, products), "swarmsafe")
    work = tempfile.mkdtemp(prefix="swarmsafe-bench-")
    try:
        subprocess.run(["tar", "-xzf", args.fixture, "-C", work], check=True)
        if args.suite == "read":
            read_suite(args, work)
        elif args.suite == "serve":
            serve_suite(args, work)
        elif args.suite == "engine":
            engine_suite(args, work)
        elif args.suite == "s3":
            s3_suite(args, work)
        else:
            backup_suite(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)

if __name__ == "__main__":
    main()
