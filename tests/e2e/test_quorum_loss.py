"""e2e (d): with 2 of 4 nodes stopped there is no progress and no divergence;
starting them again resumes progress.

Stops two backups (f = 1, so two survivors are below the 2f+1 = 3 quorum),
submits a transaction through a survivor without waiting, observes for a few
seconds (polling) that neither survivor's height moves and that their ledgers
agree, then starts the two nodes and waits until the pending transaction is
committed and all four nodes agree on height, head hash and state root.
"""

import time

import e2e_lib
from e2e_lib import log, wait_until

ZERO_KEY = "0" * 64


def test(net):
    net.up()
    h0 = net.wait_converged(min_height=1)
    down, alive = net.stop_two_backups()
    heights = {o: net.node_status(o)["height"] for o in alive}
    log(f"stopped {down}; survivors {alive} at {heights}")

    sub, p = net.ctl_json("tx", "submit", "--no-wait", "--chaincode", "identity", "--method",
                          "suspend_clerk", "--args",
                          '{"public_key":"%s","reason":"quorum-loss probe"}' % ZERO_KEY,
                          org=alive[0], check=False)
    assert sub is not None and p.returncode == 0, f"submit failed: {p.stderr}"
    tx_id = sub["tx_id"]

    # Observation window: the survivors must not commit anything.
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline:
        for o in alive:
            s = net.node_status(o)
            assert s is not None, f"{o} stopped answering"
            assert s["height"] == heights[o], f"{o} committed without a quorum: {s['height']} > {heights[o]}"
        net.assert_no_divergence(alive)
        time.sleep(0.5)
    log("no progress without a quorum, as expected")

    for org in down:
        net.start(org)

    def committed():
        data, p = net.ctl_json("tx", "show", tx_id, org=alive[0], check=False)
        return data is not None and data.get("committed")

    wait_until("the pending transaction commits once the quorum is back", committed, 240)
    net.wait_converged(min_height=h0 + 1, timeout=240)


if __name__ == "__main__":
    e2e_lib.main(test, "quorum-loss")
