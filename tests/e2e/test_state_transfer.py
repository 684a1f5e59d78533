"""e2e (c): a node whose data dir was wiped catches up by state transfer.

Uses a short checkpoint interval (4) so that a few hundred transactions make
many checkpoints. Stops one backup, wipes its data dir (keys and config kept),
commits more transactions on the other three, restarts it, and checks that it
reaches the same height, head hash and state root as the others, that it got
its blocks by state transfer (licenced_state_transfer_blocks_total in its
/metrics), and that the transactions committed while it was away are in its
ledger.
"""

import os

import e2e_grpc
import e2e_lib
from e2e_lib import log


def test(net):
    net.up()
    net.wait_converged(min_height=1)
    status = net.status()
    primary = {n["node_id"]: n["org"] for n in status}[status[0]["primary"]]
    victim = next(o for o in net.orgs() if o != primary)
    others = [o for o in net.orgs() if o != victim]
    r = net.load(200, concurrency=4)
    assert r["failed"] == 0, r["first_errors"]
    net.wait_converged(min_height=2)

    net.wipe(victim)
    assert not any(os.scandir(os.path.join(net.dir, victim, "data"))), "data dir not empty after wipe"
    ids = os.path.join(net.dir, "while-away.txt")
    r = net.load(400, concurrency=4, ids_out=ids)
    assert r["failed"] == 0, r["first_errors"]
    h = net.wait_converged(orgs=others, min_height=2)
    log(f"others at height {h}; restarting {victim} from an empty data dir")

    net.start(victim)
    net.wait_converged(min_height=h, timeout=300)
    fetched = net.metric(victim, "licenced_state_transfer_blocks_total")
    log(f"{victim} received {fetched} blocks by state transfer")
    assert fetched is not None and fetched >= h - 1, \
        f"{victim} did not catch up by state transfer (licenced_state_transfer_blocks_total={fetched})"
    # Their signatures were checked on the fetch path, before execution.
    pre = net.metric(victim, "licenced_state_transfer_txs_preverified_total")
    log(f"{victim} checked {pre} fetched transactions' signatures before executing them")
    assert pre is not None and pre >= 400, f"licenced_state_transfer_txs_preverified_total={pre}"
    data, p = net.ctl_json("--timeout", "10", "tx", "check", "--ids", ids, org=victim, check=False,
                           timeout=600)
    assert data is not None, p.stderr
    assert data["ok"], f"{victim} lacks transactions committed while it was away: {data}"
    # The state certificates came with the fetched blocks: the wiped node
    # proves the states it fetched (proof format v3) like the others.
    ch = e2e_grpc.client_channel(net.dir, victim)
    proven = 0
    try:
        for height in range(2, h, max(1, h // 10)):
            try:
                sp = e2e_grpc.call(ch, "GetStateProof", e2e_grpc.pb.GetStateProofRequest(
                    key="licence/status/", height=height, certified_state=True))
            except Exception as e:  # a height whose votes the others lost has none
                log(f"block {height}: no state certificate on {victim}: {e}")
                continue
            assert sp.height == height and sp.state_certificate, sp
            proven += 1
    finally:
        ch.close()
    log(f"{victim} holds state certificates of {proven} sampled fetched blocks")
    assert proven >= 5, f"{victim} holds the state certificate of only {proven} fetched blocks"


if __name__ == "__main__":
    e2e_lib.main(test, "state-transfer", checkpoint_interval=4)
