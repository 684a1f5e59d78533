"""e2e: admission control (limits.admission_max_pending). A node whose pending
backlog is at the bound answers SubmitTransaction with RESOURCE_EXHAUSTED and a
clear "retry later" message, queues nothing for it, and loses or changes
nothing: every admitted transaction commits, every refused one is unknown to
every node until it is sent again, and then it commits too.

Four real nodes with admission_max_pending = 8. Two backups are stopped (no
quorum: nothing commits), 20 signed transactions go to one survivor without
waiting: exactly 8 are admitted, 12 refused. The stopped nodes come back; the 8
commit; the 12 are not known anywhere; sent again, they commit. Then
`licencectl load` against the same bound: RESOURCE_EXHAUSTED answers are
back-pressure (`rejected_busy`), not failures.
"""

import json
import os
import time

import e2e_lib
from e2e_lib import log, wait_until
import e2e_grpc as g

SC = g.grpc.StatusCode
BOUND = 8
SENT = 20


def committed_on(ch, tx_id):
    code, _, info = g.status_code(ch, "GetTransaction", g.pb.GetTransactionRequest(tx_id_hex=tx_id))
    return code == SC.OK and info.committed


def test(net):
    for org in os.listdir(net.dir):
        path = os.path.join(net.dir, org, "node.toml")
        if os.path.exists(path):
            with open(path, "a") as f:
                f.write(f"\n[limits]\nadmission_max_pending = {BOUND}\n")
    net.up()
    h0 = net.wait_converged(min_height=1)
    down, alive = net.stop_two_backups()
    log(f"stopped {down}: no quorum; submitting to {alive[0]}")

    nid = net.network_id()
    admin = g.Key.load(os.path.join(net.dir, alive[0], "admin.key"))
    run = os.urandom(4).hex()
    txs = [g.Tx(nid, "identity", "enrol_clerk",
                json.dumps({"name": f"adm-{run}-{i}", "public_key": g.Key().pub.hex(),
                            "roles": ["clerk"]}), admin) for i in range(SENT)]
    ch = g.client_channel(net.dir, alive[0])
    admitted, refused = [], []
    for tx in txs:
        code, details, _ = g.submit(ch, tx.encode(), wait=False)
        if code == SC.OK:
            admitted.append(tx)
        else:
            assert code == SC.RESOURCE_EXHAUSTED, f"expected RESOURCE_EXHAUSTED, got {code} {details!r}"
            for word in ("pending", str(BOUND), "retry later"):
                assert word in details, f"busy message lacks {word!r}: {details!r}"
            refused.append(tx)
    log(f"admitted {len(admitted)}, refused {len(refused)}; e.g. {details!r}")
    assert len(admitted) == BOUND, f"admitted {len(admitted)}, want exactly {BOUND}"
    assert len(refused) == SENT - BOUND
    metric = net.metric(alive[0], "licenced_admission_rejected_total")
    assert metric == SENT - BOUND, f"licenced_admission_rejected_total = {metric}"
    # A refused tx was not queued: the node does not know it.
    for tx in refused:
        assert not g.tx_known(ch, tx.id_hex()), f"refused {tx.id_hex()} is known"

    for org in down:
        net.start(org)
    wait_until("the admitted transactions commit once the quorum is back",
               lambda: all(committed_on(ch, tx.id_hex()) for tx in admitted), 240)
    h1 = net.wait_converged(min_height=h0 + 1, timeout=240)
    for org in net.orgs():
        c = g.client_channel(net.dir, org)
        try:
            for tx in admitted:
                assert committed_on(c, tx.id_hex()), f"{org}: admitted tx {tx.id_hex()} not committed"
            for tx in refused:
                assert not g.tx_known(c, tx.id_hex()), f"{org}: refused tx {tx.id_hex()} is known"
        finally:
            c.close()
    log(f"all {BOUND} admitted committed on every node; none of the {SENT - BOUND} refused is known")

    # Sent again (the same bytes), the refused ones commit: nothing was lost.
    for tx in refused:
        for _ in range(100):
            code, details, resp = g.submit(ch, tx.encode(), wait=True, timeout_ms=60000)
            if code != SC.RESOURCE_EXHAUSTED:
                break
            time.sleep(0.1)
        assert code == SC.OK and resp.committed and resp.status == "OK", (code, details, resp)
    log(f"the {SENT - BOUND} refused transactions, sent again, committed")
    ch.close()

    # The load generator treats RESOURCE_EXHAUSTED as back-pressure.
    data = net.load(400, concurrency=48, extra=["--tx-timeout", "120"])
    assert data["failed"] == 0, f"load had failures: {data}"
    assert data["committed"] == 400, data
    log(f"load: 400 committed, rejected_busy {data['rejected_busy']} (back-pressure, retried)")
    h2 = net.wait_converged(min_height=h1 + 1, timeout=240)
    g.assert_same_blocks(net, net.orgs(), h2)


if __name__ == "__main__":
    e2e_lib.main(test, "admission")
