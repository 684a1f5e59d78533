"""e2e (b): kill -9 the primary under load; a view change happens; nothing
acknowledged is lost; the restarted node catches up.

Runs `licencectl load` in the background (its submitter moves on to another
node when one stops answering), kills the current primary with SIGKILL once
blocks are being committed, and checks that: the three survivors move to a
higher view and keep committing; every transaction the load tool saw
acknowledged as committed is in every node's ledger (`licencectl tx check`),
including the killed node's after it restarts from its RocksDB and catches up;
all four nodes end with the same height, head hash and state root.
"""

import os

import e2e_lib
from e2e_lib import log, wait_until


def test(net):
    net.up()
    net.wait_converged(min_height=1)
    status = net.status()
    primary_name = status[0]["primary"]
    by_node = {n["node_id"]: n["org"] for n in status}
    assert primary_name in by_node, f"primary {primary_name!r} is not one of {by_node}"
    primary = by_node[primary_name]
    view0 = status[0]["view"]
    others = [o for o in by_node.values() if o != primary]
    log(f"primary is {primary_name} ({primary}) in view {view0}")

    ids = os.path.join(net.dir, "acked-ids.txt")
    proc = net.load_async(1500, 8, ids, extra=["--tx-timeout", "120"])
    h0 = net.node_status(others[0])["height"]
    wait_until("the network commits blocks under load",
               lambda: (net.node_status(others[0]) or {}).get("height", 0) >= h0 + 3, 120)
    net.stop(primary, kill=True)

    def new_view():
        st = [net.node_status(o) for o in others]
        if all(s is not None and s["view"] > view0 and s["primary"] != primary_name for s in st):
            return st[0]["view"]
        return None

    view1 = wait_until("the survivors change view away from the killed primary", new_view, 180)
    log(f"survivors are in view {view1}")
    out, err = proc.communicate(timeout=900)
    log(f"load finished (exit {proc.returncode}): {out.strip()}")
    with open(ids) as f:
        acked = [line for line in f.read().split() if line]
    assert len(acked) > 0, "no transaction was acknowledged as committed"

    # Progress after the view change, with the old primary still down.
    h_after = net.wait_converged(orgs=others, min_height=1)
    more = net.load(50, concurrency=4)
    assert more["failed"] == 0, more["first_errors"]
    net.wait_converged(orgs=others, min_height=h_after + 1)

    net.start(primary)
    net.wait_converged(min_height=h_after + 1, timeout=300)
    data, p = net.ctl_json("--timeout", "10", "tx", "check", "--ids", ids, check=False, timeout=900)
    assert data is not None, p.stderr
    log(f"tx check: {[(n['org'], n['committed'], n['missing']) for n in data['nodes']]}")
    assert data["ok"], f"acknowledged transactions missing: {data}"


if __name__ == "__main__":
    e2e_lib.main(test, "primary-crash")
