"""e2e: ClientApi.SubmitTransactions (the batch submit RPC) on four real nodes.

One batch mixes good transactions with a bad signature, undecodable bytes, a
wrong network id, a replay of a committed transaction and a second copy of a
transaction of the same batch. Checks: one result per transaction, in request
order, each with the code SubmitTransaction would have answered; the good ones
commit (status OK, with their height) and the bad ones do not affect them;
exactly the good ones are in the blocks after the batch, on every node; the
call-level limits (empty batch, more than 1,000) are INVALID_ARGUMENT.
"""

import json
import os

import e2e_lib
from e2e_lib import log, wait_until
import e2e_grpc as g

SC = g.grpc.StatusCode


def batch_call(ch, txs, wait=True, timeout_ms=60000):
    req = g.pb.SubmitBatchRequest(transactions=txs, wait_for_commit=wait, timeout_ms=timeout_ms)
    return g.status_code(ch, "SubmitTransactions", req, timeout=timeout_ms / 1000 + 30)


def test(net):
    net.up()
    net.wait_converged(min_height=1)
    nid = net.network_id()
    admin = g.Key.load(os.path.join(net.dir, "market", "admin.key"))
    run = os.urandom(4).hex()

    def enrol(i, network=nid):
        return g.Tx(network, "identity", "enrol_clerk",
                    json.dumps({"name": f"batch-{run}-{i}", "public_key": g.Key().pub.hex(),
                                "roles": ["clerk"]}), admin)

    ch = g.client_channel(net.dir, "market")
    # A committed tx, to replay inside the batch.
    old = enrol("old")
    code, details, resp = g.submit(ch, old.encode())
    assert code == SC.OK and resp.committed, (code, details, resp)
    h0 = resp.height
    wait_until("every node has executed the first tx",
               lambda: all((net.node_status(o) or {}).get("height", 0) >= h0 for o in net.orgs()), 120)

    good = [enrol(i) for i in range(5)]
    bad_sig = bytearray(enrol("badsig").encode())
    bad_sig[-1] ^= 0x01
    other_net = enrol("othernet", network=nid + "-other")
    # (bytes, expected code, expected id or None, words in the message)
    plan = [
        (good[0].encode(), "OK", good[0].id_hex(), ()),
        (bytes(bad_sig), "INVALID_ARGUMENT", None, ("signature",)),
        (good[1].encode(), "OK", good[1].id_hex(), ()),
        (os.urandom(300), "INVALID_ARGUMENT", "", ("decode",)),
        (old.encode(), "ALREADY_EXISTS", old.id_hex(), ("already",)),
        (good[2].encode(), "OK", good[2].id_hex(), ()),
        (good[0].encode(), "ALREADY_EXISTS", good[0].id_hex(), ("already",)),
        (other_net.encode(), "INVALID_ARGUMENT", other_net.id_hex(), ("network",)),
        (good[3].encode(), "OK", good[3].id_hex(), ()),
        (b"", "INVALID_ARGUMENT", "", ("empty",)),
        (good[4].encode(), "OK", good[4].id_hex(), ()),
    ]
    code, details, resp = batch_call(ch, [p[0] for p in plan])
    assert code == SC.OK, f"SubmitTransactions: {code} {details!r}"
    assert len(resp.results) == len(plan), f"{len(resp.results)} results for {len(plan)} txs"
    heights = set()
    for k, ((_, want, want_id, words), r) in enumerate(zip(plan, resp.results)):
        assert r.code == want, f"result {k}: code {r.code} ({r.message!r}), want {want}"
        if want_id is not None:
            assert r.tx_id_hex == want_id, f"result {k}: id {r.tx_id_hex}, want {want_id}"
        for w in words:
            assert w in r.message.lower(), f"result {k}: message {r.message!r} lacks {w!r}"
        if want == "OK":
            assert r.committed and r.status == "OK" and r.height > h0, f"result {k}: {r}"
            heights.add(r.height)
        else:
            assert not r.committed, f"result {k}: a refused tx says committed: {r}"
        log(f"ok   result {k}: {r.code} {r.status} {r.message[:80]!r}")
    log(f"the 5 good transactions committed at heights {sorted(heights)}")

    # Exactly the good ones are in the blocks after the batch, on every node.
    top = max(heights)
    h = net.wait_converged(min_height=top, timeout=180)
    good_ids = {t.id_hex() for t in good}
    for org in net.orgs():
        c = g.client_channel(net.dir, org)
        try:
            in_blocks = []
            for height in range(h0 + 1, h + 1):
                in_blocks += list(g.call(c, "GetBlock", g.pb.GetBlockRequest(height=height)).tx_ids_hex)
            assert sorted(in_blocks) == sorted(good_ids), f"{org}: blocks hold {in_blocks}"
            assert not g.tx_known(c, other_net.id_hex()), f"{org}: other-network tx known"
        finally:
            c.close()
    log(f"every node: blocks {h0 + 1}..{h} hold exactly the 5 good transactions")

    # Without waiting: admitted ones answer PENDING at once.
    quick = [enrol(f"q{i}") for i in range(3)]
    code, details, resp = batch_call(ch, [t.encode() for t in quick], wait=False)
    assert code == SC.OK, (code, details)
    assert [r.code for r in resp.results] == ["OK"] * 3, resp
    assert all(r.status in ("PENDING", "OK") for r in resp.results), resp
    wait_until("the unwaited batch commits",
               lambda: all(g.status_code(ch, "GetTransaction", g.pb.GetTransactionRequest(
                   tx_id_hex=t.id_hex()))[2].committed for t in quick), 120)

    # Call-level limits.
    code, details, _ = batch_call(ch, [])
    assert code == SC.INVALID_ARGUMENT and "empty" in details, (code, details)
    code, details, _ = batch_call(ch, [b"x"] * 1001)
    assert code == SC.INVALID_ARGUMENT and "1000" in details, (code, details)
    log(f"ok   empty batch and 1,001 txs: INVALID_ARGUMENT ({details!r})")
    ch.close()
    g.assert_same_blocks(net, net.orgs(), net.wait_converged())


if __name__ == "__main__":
    e2e_lib.main(test, "submit-batch")
