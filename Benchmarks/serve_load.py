#!/usr/bin/env python3
"""The embedded manager under write load: is the server still responsive?

`swarmsafe serve` on a state directory, N writer threads each creating, updating and
removing services and secrets through the Engine API (the requests the docker CLI sends),
and one thread pinging `GET /_ping` every 10 ms. Reported: writes per second, write latency,
and `_ping` latency p50/p99/max, against the same pings with no writer (the baseline, in the
same run), and the server's peak memory. Every acknowledged create is checked to be there at
the end (nothing lost).

usage: Benchmarks/serve_load.py --bin PATH/TO/swarmsafe --state-dir DIR [--writers 8] [--seconds 20]
The state directory must be a one-manager state (recover --force-new-cluster first); it is
written to.
"""
import argparse, base64, http.client, json, os, socket, statistics, subprocess, sys, tempfile, threading, time

API = "/v1.41"

class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=120):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)

def request(conn, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data is not None else {}
    conn.request(method, API + path, body=data, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    return response.status, (json.loads(payload) if payload and payload[:1] in b"[{" else payload)

def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")

def ping_for(socket_path, seconds, stop=None):
    conn = UnixConnection(socket_path)
    latencies = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end and not (stop and stop.is_set()):
        start = time.perf_counter()
        status, _ = request(conn, "GET", "/_ping")
        latencies.append(time.perf_counter() - start)
        if status != 200: sys.exit(f"_ping answered {status}")
        time.sleep(0.01)
    return latencies

def writer(socket_path, number, stop, results, errors):
    conn = UnixConnection(socket_path)
    n = 0
    while not stop.is_set():
        n += 1
        name = f"load-{number}-{n}"
        started = time.perf_counter()
        status, body = request(conn, "POST", "/secrets/create",
                               {"Name": name, "Data": base64.b64encode(name.encode()).decode()})
        if status != 201: errors.append(("secret create", status, body)); continue
        results["latency"].append(time.perf_counter() - started)
        results["secrets"].append(name)
        spec = {"Name": name, "TaskTemplate": {"ContainerSpec": {"Image": "busybox"}},
                "Mode": {"Replicated": {"Replicas": 1}}}
        started = time.perf_counter()
        status, body = request(conn, "POST", "/services/create", spec)
        if status != 201: errors.append(("service create", status, body)); continue
        results["latency"].append(time.perf_counter() - started)
        service_id = body["ID"]
        status, service = request(conn, "GET", f"/services/{service_id}")
        if status != 200: errors.append(("service inspect", status, service)); continue
        spec["Mode"]["Replicated"]["Replicas"] = 2
        started = time.perf_counter()
        status, body = request(conn, "POST", f"/services/{service_id}/update?version={service['Version']['Index']}", spec)
        if status != 200: errors.append(("service update", status, body)); continue
        results["latency"].append(time.perf_counter() - started)
        if n % 2 == 0:
            started = time.perf_counter()
            status, body = request(conn, "DELETE", f"/services/{service_id}")
            if status != 200: errors.append(("service rm", status, body)); continue
            results["latency"].append(time.perf_counter() - started)
        else:
            results["services"].append(name)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--state-dir", required=True)
    ap.add_argument("--writers", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=20)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="swarmsafe-load-")
    socket_path = os.path.join(work, "docker.sock")
    server = subprocess.Popen([args.bin, "serve", "--state-dir", args.state_dir, "--socket", socket_path],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        line = server.stdout.readline().decode()
        if "serving" not in line: sys.exit(f"serve did not start: {line!r}")
        idle = ping_for(socket_path, min(5.0, args.seconds / 2))
        stop = threading.Event()
        results = {"latency": [], "secrets": [], "services": []}
        errors = []
        threads = [threading.Thread(target=writer, args=(socket_path, i, stop, results, errors)) for i in range(args.writers)]
        start = time.perf_counter()
        for t in threads: t.start()
        loaded = ping_for(socket_path, args.seconds)
        stop.set()
        for t in threads: t.join()
        elapsed = time.perf_counter() - start
        conn = UnixConnection(socket_path)
        _, secrets = request(conn, "GET", "/secrets")
        _, services = request(conn, "GET", "/services")
        have_secrets = {s["Spec"]["Name"] for s in secrets}
        have_services = {s["Spec"]["Name"] for s in services}
        lost = [n for n in results["secrets"] if n not in have_secrets] + [n for n in results["services"] if n not in have_services]
        writes = len(results["latency"])
        ms = lambda s: s * 1000
        print(f"machine: {os.cpu_count()} cores; {args.writers} writers for {elapsed:.1f} s on {args.state_dir}")
        print(f"writes acknowledged: {writes} ({writes / elapsed:.1f}/s); write latency p50 {ms(percentile(results['latency'], 50)):.0f} ms,"
              f" p99 {ms(percentile(results['latency'], 99)):.0f} ms; errors: {len(errors)}; lost: {len(lost)}")
        for what, samples in (("_ping, no writer (baseline)", idle), (f"_ping, {args.writers} writers", loaded)):
            print(f"{what:32s} n={len(samples):5d}  p50 {ms(percentile(samples, 50)):7.2f} ms  p99 {ms(percentile(samples, 99)):7.2f} ms"
                  f"  max {ms(max(samples)):7.2f} ms")
        print(f"_ping p99 under load / baseline p99: {percentile(loaded, 99) / percentile(idle, 99):.1f}x")
        with open(f"/proc/{server.pid}/status") as f:
            peak = next((int(line.split()[1]) / 1024 for line in f if line.startswith("VmHWM:")), float("nan"))
        print(f"server peak RSS: {peak:.1f} MiB")
        if errors: print("first errors:", errors[:3])
        if lost: sys.exit(f"lost {len(lost)} acknowledged writes, e.g. {lost[:3]}")
    finally:
        server.terminate()
        server.wait()
        subprocess.run(["rm", "-rf", work])

if __name__ == "__main__":
    main()
