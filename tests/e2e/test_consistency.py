"""e2e (a): four nodes agree after 2,000 transactions through different nodes.

Starts the four-bureau network with deploy/local-net (real licenced processes,
gRPC with TLS, RocksDB), submits 2,000 signed transactions with `licencectl
load` spread round-robin over all four nodes (wait_for_commit), checks every
one was committed, and waits until all nodes report the same height, head hash
and state root. Prints the load figures (tx/s, latency percentiles).
"""

import e2e_lib
from e2e_lib import log


def test(net):
    net.up()
    start_height = net.wait_converged(min_height=1)
    result = net.load(2000, concurrency=16)
    assert result["failed"] == 0, f"{result['failed']} transactions failed: {result['first_errors']}"
    assert result["committed"] == 2000, result
    assert result["committed_ok"] == 2000, f"chaincode rejected some: {result['first_errors']}"
    height = net.wait_converged(min_height=start_height + 1)
    st = {o: net.node_status(o) for o in net.orgs()}
    log("final: " + ", ".join(f"{o}: h={s['height']} head={s['head_hash'][:12]} root={s['state_root'][:12]}"
                              for o, s in st.items()))
    assert height > start_height


if __name__ == "__main__":
    e2e_lib.main(test, "consistency")
