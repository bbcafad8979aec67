#!/usr/bin/env python3
"""One boot of a swarm state directory to its first `docker service ls`, by swarmsafe's
embedded manager or by a real dockerd: the unit the engine comparison times, as a whole
process (so an outside timer sees the engine's peak memory as this process's largest child).

  engine_boot.py serve   --state DIR --bin PATH/TO/swarmsafe --work DIR
  engine_boot.py dockerd --root R --containerd SOCK --work DIR     (R/swarm is the state)

Exits 0 once `docker service ls` listed --expect services (default: any answer); the
engine is stopped with SIGKILL right after (its shutdown is not part of the boot), and for
dockerd the mounts it leaves under R are unmounted. Prints the seconds to the first full
list and the engine's peak RSS (VmHWM) on stderr.
"""
import argparse, os, shutil, signal, subprocess, sys, time

def docker(socket, *args, env):
    return subprocess.run(["docker", "-H", f"unix://{socket}", *args], env=env, capture_output=True, text=True)

def peak_rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")

def wait_listing(socket, expect, env, deadline, engine):
    while time.monotonic() < deadline:
        if engine.poll() is not None:
            sys.exit(f"the engine exited with status {engine.returncode} before answering")
        # Not -q: the list an operator reads, with its REPLICAS counts (`-q` asks the engine
        # for no task counts); one service ID a line, so the list can be counted.
        listed = docker(socket, "service", "ls", "--format", "{{.ID}} {{.Replicas}}", env=env)
        if listed.returncode == 0 and len(listed.stdout.splitlines()) >= expect:
            return
        time.sleep(0.05)
    sys.exit("no complete `docker service ls` before the deadline")

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("engine", choices=["serve", "dockerd"])
    ap.add_argument("--state", help="serve: the state directory")
    ap.add_argument("--bin", help="serve: the swarmsafe binary")
    ap.add_argument("--root", help="dockerd: its data root (ROOT/swarm is the state)")
    ap.add_argument("--containerd", help="dockerd: a running containerd's socket")
    ap.add_argument("--work", required=True, help="a private folder for sockets and logs")
    ap.add_argument("--expect", type=int, default=0, help="services the list must hold")
    ap.add_argument("--timeout", type=float, default=120)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    env = dict(os.environ, DOCKER_CONFIG=os.path.join(args.work, "docker-config"))
    socket = os.path.join(args.work, f"{args.engine}.sock")
    if os.path.exists(socket): os.remove(socket)
    log = open(os.path.join(args.work, f"{args.engine}.log"), "ab")
    start = time.monotonic()
    if args.engine == "serve":
        engine = subprocess.Popen([args.bin, "serve", "--state-dir", args.state, "--socket", socket],
                                  stdout=log, stderr=log)
    else:
        exec_root = os.path.join(args.work, "exec")
        pidfile = os.path.join(args.work, "docker.pid")
        if os.path.exists(pidfile): os.remove(pidfile)
        engine = subprocess.Popen(["dockerd", "--data-root", args.root, "--exec-root", exec_root, "--pidfile", pidfile,
                                   "-H", f"unix://{socket}", "--containerd", args.containerd, "--iptables=false",
                                   "--ip6tables=false", "--bridge=none", "--storage-driver=vfs"], stdout=log, stderr=log)
    try:
        wait_listing(socket, args.expect, env, start + args.timeout, engine)
        seconds = time.monotonic() - start
        peak = peak_rss_mib(engine.pid)
    finally:
        engine.send_signal(signal.SIGKILL)
        engine.wait()
        if args.engine == "dockerd":
            # What a killed dockerd leaves mounted under its roots, deepest first.
            with open("/proc/self/mounts") as f:
                points = [line.split()[1] for line in f]
            for point in sorted(points, key=len, reverse=True):
                if point.startswith((args.root, os.path.join(args.work, "exec"))):
                    subprocess.run(["umount", "-l", point], capture_output=True)
    print(f"{args.engine}: first full service ls after {seconds:.3f} s, engine peak RSS {peak:.1f} MiB", file=sys.stderr)

if __name__ == "__main__":
    main()
