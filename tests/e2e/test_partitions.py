"""e2e: real network partitions between network namespaces.

Four licenced nodes, each in its own network namespace with its own 10.77.K.x
address (K unique per run); the namespaces are joined by veth links to a
bridge that lives in a fifth namespace, so nothing touches the host's own
network (the client and HTTP listeners stay on each namespace's loopback; the
driver reaches them with `ip netns exec`). Links are cut with blackhole
routes inside the namespaces and made lossy with `tc qdisc ... netem`.

Scenarios (short run, label e2e):
  1. isolate the primary: the other three keep committing (view change);
  2. heal: the isolated node catches up;
  3. split 2|2: nothing commits on either side, nothing diverges;
  4. heal: the pending transaction commits, all four converge;
  5. lossy links (10%, 20%, 30%, 15% loss, a few ms delay): a load commits.
After every step: never a divergence (same block hash at every height on
every node that has it). LICENCED_LONG_TESTS=1 adds more rounds, every node
isolated in turn, and heavier loss and delay.
Skips (exit 77) if network namespaces cannot be created (not root, no
CAP_NET_ADMIN). Namespaces are always deleted (finally + atexit).
"""

import atexit
import json
import os
import re
import shutil
import subprocess
import sys
import time

import e2e_lib
from e2e_lib import log, run, wait_until

LONG = os.environ.get("LICENCED_LONG_TESTS") == "1"
RUN_ID = f"{os.getpid() % 100000}"
SUBNET = f"10.77.{os.getpid() % 250 + 1}"
SWITCH = f"lic{RUN_ID}-sw"


def ns_name(i):
    return f"lic{RUN_ID}-n{i}"


def ip(*args, check=True):
    p = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=60)
    if check and p.returncode != 0:
        raise AssertionError(f"ip {' '.join(args)} failed: {p.stderr.strip()}")
    return p


_created = []


class Skip(Exception):
    pass


def cleanup_namespaces():
    while _created:
        ip("netns", "del", _created.pop(), check=False)


atexit.register(cleanup_namespaces)


def netns_permitted():
    probe = f"lic{RUN_ID}-probe"
    p = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if p.returncode != 0:
        return p.stderr.strip() or "ip netns add failed"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def build_topology(n):
    ip("netns", "add", SWITCH)
    _created.append(SWITCH)
    ip("-n", SWITCH, "link", "set", "lo", "up")
    ip("-n", SWITCH, "link", "add", "br0", "type", "bridge")
    ip("-n", SWITCH, "link", "set", "br0", "up")
    for i in range(n):
        ns = ns_name(i)
        ip("netns", "add", ns)
        _created.append(ns)
        ip("-n", ns, "link", "set", "lo", "up")
        ip("-n", SWITCH, "link", "add", f"v{i}", "type", "veth", "peer", "name", "eth0", "netns", ns)
        ip("-n", SWITCH, "link", "set", f"v{i}", "master", "br0")
        ip("-n", SWITCH, "link", "set", f"v{i}", "up")
        ip("-n", ns, "addr", "add", f"{SUBNET}.{i + 1}/24", "dev", "eth0")
        ip("-n", ns, "link", "set", "eth0", "up")
    log(f"namespaces {SWITCH} + {[ns_name(i) for i in range(n)]} on {SUBNET}.0/24")


def rewrite_addresses(net):
    """Peer listeners and genesis addresses on the namespaces' 10.x addresses;
    client and HTTP stay on (each namespace's) loopback."""
    gpath = os.path.join(net.dir, "genesis.json")
    with open(gpath) as f:
        genesis = json.load(f)
    for i, v in enumerate(genesis["validators"]):
        port = v["address"].rsplit(":", 1)[1]
        v["address"] = f"{SUBNET}.{i + 1}:{port}"
        toml = os.path.join(net.dir, v["org"], "node.toml")
        with open(toml) as f:
            text = f.read()
        text, k = re.subn(r'(?m)^(\s*peer\s*=\s*")[^"]*:(\d+)"', rf'\g<1>{SUBNET}.{i + 1}:\g<2>"',
                          text)
        assert k == 1, f"no peer listener in {toml}"
        with open(toml, "w") as f:
            f.write(text)
    with open(gpath, "w") as f:
        json.dump(genesis, f, indent=2)


class NetnsNetwork(e2e_lib.Network):
    def __init__(self):
        super().__init__("partitions", view_change_timeout_ms=1000)
        rewrite_addresses(self)
        self.index = {o: i for o, _, i in self.validators()}
        self.netem = None  # decided at the first lossy()

    def ns(self, org):
        return ns_name(self.index[org])

    def ctl_json(self, *args, org=None, check=True, timeout=300):
        org = org or self.validators()[0][0]
        cmd = ["ip", "netns", "exec", self.ns(org), self.ctl, "--net", self.dir, "--json",
               "--org", org, *args]
        p = run(cmd, check=check, timeout=timeout)
        out = p.stdout.strip()
        try:
            return (json.loads(out) if out else None), p
        except json.JSONDecodeError:
            return None, p

    def start_all(self):
        for o in self.orgs_all():
            self.start_custom(o, wrap=["ip", "netns", "exec", self.ns(o)])

    def orgs_all(self):
        return [o for o, _, _ in self.validators()]

    def heights(self, orgs=None):
        out = {}
        for o in orgs or self.orgs_all():
            s = self.node_status(o)
            out[o] = None if s is None else s["height"]
        return out

    # ---- link control
    def cut(self, a, b):
        ia, ib = self.index[a], self.index[b]
        ip("-n", ns_name(ia), "route", "add", "blackhole", f"{SUBNET}.{ib + 1}/32")
        ip("-n", ns_name(ib), "route", "add", "blackhole", f"{SUBNET}.{ia + 1}/32")

    def partition(self, *groups):
        log(f"partition {' | '.join(','.join(g) for g in groups)}")
        for x in range(len(groups)):
            for y in range(x + 1, len(groups)):
                for a in groups[x]:
                    for b in groups[y]:
                        self.cut(a, b)

    def heal(self):
        log("heal: remove every blackhole route")
        for o in self.orgs_all():
            for line in ip("-n", self.ns(o), "route", "show", "type", "blackhole").stdout.splitlines():
                dst = line.split()[1] if line.startswith("blackhole") else line.split()[0]
                ip("-n", self.ns(o), "route", "del", "blackhole", dst, check=False)

    def lossy(self, loss_by_org, delay_ms=3):
        """Each node's link loses loss% of its packets. With tc netem (if the
        kernel has sch_netem) in the node's namespace, plus delay; otherwise
        with nftables in the switch namespace (random drop of the packets the
        bridge forwards from and to that node, no delay)."""
        if self.netem is None:
            p = subprocess.run(["ip", "netns", "exec", self.ns(self.orgs_all()[0]), "tc", "qdisc",
                                "replace", "dev", "eth0", "root", "netem", "loss", "1%"],
                               capture_output=True, text=True)
            self.netem = p.returncode == 0
            if self.netem:
                subprocess.run(["ip", "netns", "exec", self.ns(self.orgs_all()[0]), "tc", "qdisc",
                                "del", "dev", "eth0", "root"], capture_output=True)
            else:
                log(f"tc netem unavailable ({p.stderr.strip()}); loss via nftables, no delay")
        if self.netem:
            for o, loss in loss_by_org.items():
                subprocess.run(["ip", "netns", "exec", self.ns(o), "tc", "qdisc", "replace", "dev",
                                "eth0", "root", "netem", "loss", f"{loss}%", "delay",
                                f"{delay_ms}ms"], check=True, capture_output=True)
            log(f"netem loss {loss_by_org}, delay {delay_ms} ms")
            return
        if shutil.which("nft") is None:
            raise Skip("neither tc netem nor nft (nftables) is available for lossy links")
        rules = ["add table bridge lic", "add chain bridge lic lossy "
                 "{ type filter hook forward priority 0; }"]
        for o, loss in loss_by_org.items():
            v = f"v{self.index[o]}"
            # Half the loss each way: a round trip through one lossy link sees about loss%.
            half = max(1, loss // 2)
            rules.append(f"add rule bridge lic lossy iifname {v} numgen random mod 100 < {half} drop")
            rules.append(f"add rule bridge lic lossy oifname {v} numgen random mod 100 < {half} drop")
        subprocess.run(["ip", "netns", "exec", SWITCH, "nft", "-f", "-"], input="\n".join(rules),
                       text=True, check=True, capture_output=True)
        log(f"nftables loss {loss_by_org} (half each way)")

    def clean_links(self):
        if self.netem:
            for o in self.orgs_all():
                subprocess.run(["ip", "netns", "exec", self.ns(o), "tc", "qdisc", "del", "dev",
                                "eth0", "root"], capture_output=True)
        subprocess.run(["ip", "netns", "exec", SWITCH, "nft", "delete", "table", "bridge", "lic"],
                       capture_output=True)

    # ---- load and checks
    def load_via(self, org, count, concurrency=4):
        data, p = self.ctl_json("load", "--count", str(count), "--concurrency", str(concurrency),
                                "--tx-timeout", "240", org=org, check=False, timeout=900)
        assert data is not None, f"load via {org} printed nothing: {p.stderr}"
        log(f"load via {org}: {data.get('committed')}/{count} committed, "
            f"{data.get('committed_tx_per_s', 0):.1f} tx/s")
        return data

    def submit_no_wait(self, org):
        data, p = self.ctl_json("tx", "submit", "--no-wait", "--chaincode", "identity", "--method",
                                "suspend_clerk", "--args",
                                '{"public_key":"%s","reason":"partition probe"}' % ("0" * 64),
                                org=org, check=False)
        assert data is not None and p.returncode == 0, f"submit via {org} failed: {p.stderr}"
        return data["tx_id"]

    def tx_committed(self, org, tx_id):
        data, p = self.ctl_json("--timeout", "5", "tx", "show", tx_id, org=org, check=False)
        return bool(data and data.get("committed"))

    def dump_hashes(self, org, upto):
        p = run(["ip", "netns", "exec", self.ns(org), sys.executable,
                 os.path.join(os.path.dirname(os.path.abspath(__file__)), "e2e_grpc.py"),
                 "hashes", self.dir, org, str(upto)], timeout=600)
        return {int(k): v for k, v in json.loads(p.stdout).items()}

    def no_divergence(self, orgs=None):
        """Same block hash at every height that two or more nodes have."""
        orgs = orgs or self.orgs_all()
        hs = {o: h for o, h in self.heights(orgs).items() if h}
        dumps = {o: self.dump_hashes(o, h) for o, h in hs.items()}
        top = max(hs.values()) if hs else 0
        for height in range(1, top + 1):
            seen = {o: d[height] for o, d in dumps.items() if height in d}
            assert len(set(seen.values())) <= 1, f"DIVERGENCE at height {height}: {seen}"
        log(f"no divergence: heights {hs}")
        return top

    def same_blocks_everywhere(self, upto):
        """All nodes have the same hash at every height 1..upto."""
        dumps = {o: self.dump_hashes(o, upto) for o in self.orgs_all()}
        for h in range(1, upto + 1):
            seen = {o: d[h] for o, d in dumps.items()}
            assert len(set(seen.values())) == 1, f"DIVERGENCE at height {h}: {seen}"
        log(f"all nodes: same block hash at every height 1..{upto}")

    def primary_org(self, org):
        s = self.node_status(org)
        names = {name: o for o, name, _ in self.validators()}
        return names.get(s["primary"]) if s else None


def isolate(net, victim, load_n):
    others = [o for o in net.orgs_all() if o != victim]
    net.partition([victim], others)
    before = net.heights(others)
    data = net.load_via(others[0], load_n)
    assert data["committed"] == load_n and data["failed"] == 0, \
        f"three connected nodes must keep committing with {victim} isolated: {data}"
    net.wait_converged(orgs=others, min_height=max(before.values()) + 1, timeout=240)
    net.no_divergence()
    net.heal()
    net.wait_converged(min_height=1, timeout=300)
    net.no_divergence()


def split_2_2(net):
    orgs = net.orgs_all()
    left, right = orgs[:2], orgs[2:]
    net.partition(left, right)
    before = net.heights()
    tx_id = net.submit_no_wait(left[0])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        now = net.heights()
        for o in orgs:
            assert now[o] == before[o], f"{o} committed without a quorum: {before[o]} -> {now[o]}"
        time.sleep(1)
    net.no_divergence()
    log("2|2: no side committed anything, as expected")
    net.heal()
    wait_until("the transaction submitted during the split commits after the heal",
               lambda: net.tx_committed(left[0], tx_id), 300, interval=1)
    net.wait_converged(min_height=max(before.values()) + 1, timeout=300)
    net.no_divergence()


def lossy(net, losses, delay_ms, load_n):
    orgs = net.orgs_all()
    net.lossy(dict(zip(orgs, losses)), delay_ms)
    before = net.heights()
    data = net.load_via(orgs[1], load_n)
    assert data["committed"] == load_n and data["failed"] == 0, f"lossy links: {data}"
    net.clean_links()
    net.wait_converged(min_height=max(before.values()) + 1, timeout=300)
    net.no_divergence()


def test(net):
    build_topology(len(net.orgs_all()))
    net.start_all()
    data = net.load_via(net.orgs_all()[0], 20)
    assert data["committed"] == 20, data
    net.wait_converged(min_height=1, timeout=240)
    n = 150 if LONG else 40
    primary = net.primary_org(net.orgs_all()[1])
    log(f"--- isolate the primary {primary}")
    isolate(net, primary, n)
    log("--- split 2|2")
    split_2_2(net)
    log("--- lossy links")
    lossy(net, [10, 20, 30, 15], 3, n)
    if LONG:
        for victim in net.orgs_all():
            log(f"--- (long) isolate {victim}")
            isolate(net, victim, n)
        log("--- (long) split 2|2 again, then heavy loss and delay")
        split_2_2(net)
        lossy(net, [30, 30, 30, 30], 40, n)
        new_primary = net.primary_org(net.orgs_all()[0])
        log(f"--- (long) isolate the current primary {new_primary}")
        isolate(net, new_primary, n)
    h = net.wait_converged(min_height=1, timeout=300)
    net.same_blocks_everywhere(h)


def main():
    e2e_lib.require_bins("licencectl", "licenced")
    why = netns_permitted()
    if why:
        print(f"SKIP: network namespaces not permitted here ({why}); run as root with "
              "CAP_NET_ADMIN", flush=True)
        sys.exit(e2e_lib.SKIP)
    net = NetnsNetwork()
    code = 1
    try:
        test(net)
        log("PASS partitions")
        code = 0
    except Skip as e:
        print(f"SKIP: {e}", flush=True)
        code = e2e_lib.SKIP
    except Exception as e:  # noqa: BLE001
        net.failed = True
        log(f"FAIL partitions: {e}")
        net.dump_logs()
    finally:
        try:
            net.close()
        finally:
            cleanup_namespaces()
    sys.exit(code)


if __name__ == "__main__":
    main()
