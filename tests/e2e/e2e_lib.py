"""Shared helpers for the end-to-end tests (stdlib only).

A `Network` drives deploy/local-net and licencectl for one test: its own temp
network dir (free loopback ports picked at generation, so tests running in
parallel never share ports), real licenced processes, real gRPC and RocksDB.
Everything waits by polling with a timeout; nothing sleeps blindly.

Binaries come from $LICENCED_BIN_DIR (set by CTest to the build dir). A test
exits with code 77 (CTest: skipped) when licenced has not been built.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LOCAL_NET = os.path.join(REPO, "deploy", "local-net")
GEN_TLS = os.path.join(REPO, "deploy", "gen-tls.sh")
SKIP = 77


def bin_dir():
    return os.environ.get("LICENCED_BIN_DIR", os.path.join(REPO, "build", "release"))


def find_bin(name):
    for sub in ("", "node", "cli", "bin"):
        path = os.path.join(bin_dir(), sub, name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def require_bins(*names):
    """Exits 77 (skipped) if a binary is missing."""
    for name in names:
        if find_bin(name) is None:
            print(f"SKIP: no {name} binary under {bin_dir()}; build it first", flush=True)
            sys.exit(SKIP)


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def wait_until(what, predicate, timeout, interval=0.25):
    """Polls predicate() until it returns a truthy value; fails after timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting until {what} (last: {last!r})")


def run(cmd, check=True, timeout=300, env=None):
    """Runs a command; returns CompletedProcess. Raises with its output if check fails."""
    full_env = dict(os.environ)
    full_env["LICENCED_BIN_DIR"] = bin_dir()
    if env:
        full_env.update(env)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=full_env)
    if check and p.returncode != 0:
        raise AssertionError(
            f"command failed ({p.returncode}): {' '.join(cmd)}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


class Network:
    """A local licenced network in a temp dir, torn down by close()."""

    def __init__(self, name, checkpoint_interval=None, view_change_timeout_ms=None,
                 order_ahead_window=None):
        self.dir = tempfile.mkdtemp(prefix=f"licenced-e2e-{name}-")
        self.ctl = find_bin("licencectl")
        gen = [self.ctl, "network", "generate", "--dir", self.dir]
        if checkpoint_interval is not None:
            gen += ["--checkpoint-interval", str(checkpoint_interval),
                    "--watermark-window", str(2 * checkpoint_interval)]
        if view_change_timeout_ms is not None:
            gen += ["--view-change-timeout-ms", str(view_change_timeout_ms)]
        if order_ahead_window is not None:
            gen += ["--order-ahead-window", str(order_ahead_window)]
        run(gen)
        run([GEN_TLS, self.dir])
        self.failed = False

    # ---- local-net
    def local_net(self, *args, check=True, timeout=300):
        return run([LOCAL_NET, *args, "--dir", self.dir], check=check, timeout=timeout)

    def up(self, timeout=120):
        log(f"local-net up in {self.dir}")
        p = self.local_net("up", "--timeout", str(timeout), timeout=timeout + 60)
        return p.stdout

    def stop(self, org, kill=False):
        log(f"stop {org}{' (SIGKILL)' if kill else ''}")
        self.local_net("stop", org, *(["--kill"] if kill else []))

    def start(self, org):
        log(f"start {org}")
        self.local_net("start", org)

    def start_custom(self, org, extra_args=(), env=None, wrap=()):
        """Starts the org's licenced like `local-net start` does (same log and pid
        files, so stop/status/close work), but with extra command-line arguments,
        extra environment and an optional command prefix (e.g. `ip netns exec NS`).
        Returns the Popen; raises if it exits at once."""
        log(f"start {org} {' '.join(extra_args)}{' via ' + ' '.join(wrap) if wrap else ''}")
        licenced = find_bin("licenced")
        org_dir = os.path.join(self.dir, org)
        os.makedirs(os.path.join(org_dir, "data"), exist_ok=True)
        full_env = dict(os.environ)
        full_env.update(env or {})
        logf = open(os.path.join(org_dir, "licenced.log"), "a")
        logf.write(f"=== {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} e2e start {org}\n")
        logf.flush()
        p = subprocess.Popen([*wrap, licenced, "--config", os.path.join(org_dir, "node.toml"),
                              *extra_args], stdout=logf, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, env=full_env, start_new_session=True)
        logf.close()
        with open(os.path.join(org_dir, "licenced.pid"), "w") as f:
            f.write(f"{p.pid}\n")
        time.sleep(0.5)
        if p.poll() is not None:
            os.unlink(os.path.join(org_dir, "licenced.pid"))
            raise AssertionError(f"{org}: licenced exited at start with {p.returncode}")
        return p

    def validators(self):
        """[(org, node_id, replica id)] in genesis order (replica 0 is the view-0 primary)."""
        with open(os.path.join(self.dir, "genesis.json")) as f:
            g = json.load(f)
        return [(v["org"], v["name"], i) for i, v in enumerate(g["validators"])]

    def network_id(self):
        with open(os.path.join(self.dir, "genesis.json")) as f:
            return json.load(f)["network_id"]

    def assert_same_blocks(self, orgs, upto=None):
        """Every given node has the same block hash at every height 1..upto
        (default: their lowest common height). Returns the height checked."""
        st = {o: self.node_status(o) for o in orgs}
        missing = [o for o, s in st.items() if s is None]
        assert not missing, f"nodes not answering: {missing}"
        h = upto if upto is not None else min(s["height"] for s in st.values())
        for height in range(1, h + 1):
            hashes = {o: self.block_hash(o, height) for o in orgs}
            assert None not in hashes.values(), f"block {height} missing: {hashes}"
            assert len(set(hashes.values())) == 1, f"divergence at height {height}: {hashes}"
        log(f"{orgs}: same block hash at every height 1..{h}")
        return h

    def wipe(self, org):
        log(f"wipe {org}")
        self.local_net("wipe", org)

    def status(self):
        """local-net status --json: [{org, pid, client, height, view, up, ...}]."""
        return json.loads(self.local_net("status", "--json").stdout)

    def stop_two_backups(self):
        """Stops two backups of the current primary (the network loses its
        quorum). Returns (stopped orgs, orgs still running)."""
        status = self.status()
        primary = {n["node_id"]: n["org"] for n in status}[status[0]["primary"]]
        orgs = self.orgs()
        down = [o for o in orgs if o != primary][:2]
        for org in down:
            self.stop(org)
        return down, [o for o in orgs if o not in down]

    def orgs(self):
        return [n["org"] for n in self.status()]

    # ---- licencectl
    def ctl_json(self, *args, org=None, check=True, timeout=300):
        cmd = [self.ctl, "--net", self.dir, "--json"]
        if org:
            cmd += ["--org", org]
        p = run(cmd + list(args), check=check, timeout=timeout)
        out = p.stdout.strip()
        return (json.loads(out) if out else None), p

    def node_status(self, org):
        """Status of one node as licencectl reports it, or None if it does not answer."""
        data, p = self.ctl_json("--timeout", "3", "status", org=org, check=False)
        if p.returncode != 0 or not data or not data[0].get("up"):
            return None
        return data[0]

    def up_nodes(self):
        return {n["org"]: n for n in self.status() if n["up"]}

    def http_address(self, org):
        """host:port of `org`'s node's HTTP listener (listen.http in its node.toml)."""
        with open(os.path.join(self.dir, org, "node.toml")) as f:
            for line in f:
                if line.strip().startswith("http") and "=" in line:
                    return line.split("=", 1)[1].strip().strip('"')
        raise AssertionError(f"no listen.http in {org}/node.toml")

    def metric(self, org, name):
        """Value of a Prometheus metric from the node's /metrics (http listener), or None."""
        import urllib.request
        http = self.http_address(org)
        try:
            with urllib.request.urlopen(f"http://{http}/metrics", timeout=5) as r:
                text = r.read().decode()
        except OSError:
            return None
        for line in text.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == name:
                return float(parts[1])
        return None

    def block_hash(self, org, height):
        data, p = self.ctl_json("--timeout", "5", "block", "show", str(height), org=org, check=False)
        return data["hash"] if p.returncode == 0 and data else None

    def load(self, count, concurrency=8, ids_out=None, extra=(), timeout=900):
        args = ["load", "--count", str(count), "--concurrency", str(concurrency), *extra]
        if ids_out:
            args += ["--ids-out", ids_out]
        data, p = self.ctl_json(*args, check=False, timeout=timeout)
        if data is None:
            raise AssertionError(f"licencectl load printed nothing: {p.stderr}")
        log(f"load: {json.dumps(data)}")
        return data

    def load_async(self, count, concurrency, ids_out, extra=()):
        cmd = [self.ctl, "--net", self.dir, "--json", "load", "--count", str(count),
               "--concurrency", str(concurrency), "--ids-out", ids_out, *extra]
        env = dict(os.environ)
        env["LICENCED_BIN_DIR"] = bin_dir()
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

    # ---- invariants
    def wait_converged(self, orgs=None, min_height=1, timeout=180):
        """Waits until the given (default: all) nodes answer with one height >= min_height,
        one head hash and one state root; returns that height."""
        orgs = orgs or self.orgs()

        def converged():
            st = [self.node_status(o) for o in orgs]
            if any(s is None for s in st):
                return None
            heights = {s["height"] for s in st}
            heads = {s["head_hash"] for s in st}
            roots = {s["state_root"] for s in st}
            if len(heights) == 1 and len(heads) == 1 and len(roots) == 1 and min(heights) >= min_height:
                return st[0]["height"]
            return None

        h = wait_until(f"nodes {orgs} agree on height (>= {min_height}), head hash and state root",
                       converged, timeout, interval=0.5)
        log(f"converged at height {h}")
        return h

    def assert_no_divergence(self, orgs):
        """Nodes that answer have the same block hash at their lowest common height."""
        st = {o: self.node_status(o) for o in orgs}
        st = {o: s for o, s in st.items() if s is not None}
        if len(st) < 2:
            return
        h = min(s["height"] for s in st.values())
        if h == 0:
            return
        hashes = {o: self.block_hash(o, h) for o in st}
        assert len(set(hashes.values())) == 1, f"divergence at height {h}: {hashes}"

    def close(self):
        try:
            for org in os.listdir(self.dir):
                if os.path.exists(os.path.join(self.dir, org, "licenced.pid")):
                    self.local_net("stop", org, "--kill", check=False, timeout=60)
        finally:
            if self.failed or os.environ.get("LICENCED_E2E_KEEP"):
                log(f"network dir kept for inspection: {self.dir}")
            else:
                shutil.rmtree(self.dir, ignore_errors=True)

    def dump_logs(self, lines=40):
        for org in sorted(os.listdir(self.dir)):
            path = os.path.join(self.dir, org, "licenced.log")
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    tail = f.readlines()[-lines:]
                print(f"----- {org}/licenced.log (last {len(tail)} lines)")
                print("".join(tail), end="")


def main(test_fn, name, needs_daemon=True, **net_kwargs):
    """Runs test_fn(net) on a fresh network; prints PASS/FAIL; exits 0/1/77."""
    require_bins("licencectl", *(["licenced"] if needs_daemon else []))
    net = Network(name, **net_kwargs)
    try:
        test_fn(net)
        log(f"PASS {name}")
        code = 0
    except Exception as e:  # noqa: BLE001 - report every failure the same way
        net.failed = True
        log(f"FAIL {name}: {e}")
        net.dump_logs()
        code = 1
    finally:
        net.close()
    sys.exit(code)
