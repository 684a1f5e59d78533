"""e2e: a network whose genesis orders 4 blocks ahead of execution.

Generates the network with --order-ahead-window 4 and a checkpoint interval of
4, commits a load, and checks that every node reports the window, certifies
the state of its head (status certified_height and
licenced_state_certified_height reach the height: 2f+1 signed state roots) and
has not halted its execution, and that the headers follow the rule: blocks
1..4 carry the empty state's root, a later one the state after a block with
transactions. Then a backup restarts (it needs the state roots of its last
blocks to check the next proposals) and another one is wiped and catches up by
state transfer; with a third one stopped the other three still commit, and
at the end all four agree on every block, the head's state root and its
certificate.
"""

import json
import os

import e2e_lib
from e2e_lib import log, wait_until

W = 4


def certified_everywhere(net, orgs, height):
    def ok():
        for o in orgs:
            s = net.node_status(o)
            if s is None or s["certified_height"] < height:
                return None
        return True
    wait_until(f"state certificates up to height {height} on {orgs}", ok, 60)


def test(net):
    with open(os.path.join(net.dir, "genesis.json")) as f:
        assert json.load(f)["consensus"]["order_ahead_window"] == W
    net.up()
    net.wait_converged(min_height=1)
    r = net.load(300, concurrency=16)
    assert r["failed"] == 0, r["first_errors"]
    h = net.wait_converged(min_height=2)
    orgs = net.orgs()
    certified_everywhere(net, orgs, h)
    for o in orgs:
        s = net.node_status(o)
        assert s["order_ahead_window"] == W, s
        assert s["execution_halted"] is None, s
        assert net.metric(o, "licenced_execution_halted") == 0
        assert net.metric(o, "licenced_state_certified_height") >= h

    zero = "0" * 64
    roots = {}
    for height in range(1, h + 1):
        data, p = net.ctl_json("--timeout", "5", "block", "show", str(height), org=orgs[0])
        roots[height] = data["state_root"]
    assert all(roots[k] == zero for k in range(1, W + 1)), roots
    assert any(r != zero for r in roots.values()), "no header carries a state after a block"

    status = net.status()
    primary = {n["node_id"]: n["org"] for n in status}[status[0]["primary"]]
    backups = [o for o in orgs if o != primary]
    restarted, wiped = backups[0], backups[1]
    net.stop(restarted)
    net.start(restarted)
    net.wipe(wiped)
    r = net.load(300, concurrency=16)
    assert r["failed"] == 0, r["first_errors"]
    net.start(wiped)
    h2 = net.wait_converged(min_height=h + 1, timeout=300)
    log(f"{restarted} restarted and {wiped} caught up: all at height {h2}")
    # The restarted backup votes again: more load commits with the primary
    # and it alone of the others stopped.
    third = backups[2]
    net.stop(third)
    r = net.load(100, concurrency=16)
    assert r["failed"] == 0, r["first_errors"]
    net.start(third)
    h3 = net.wait_converged(min_height=h2 + 1, timeout=300)
    certified_everywhere(net, orgs, h3)
    for o in orgs:
        assert net.node_status(o)["execution_halted"] is None
    net.assert_same_blocks(orgs, upto=h3)


if __name__ == "__main__":
    e2e_lib.main(test, "order-ahead", checkpoint_interval=4, order_ahead_window=W)
