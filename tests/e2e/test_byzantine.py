"""e2e: one Byzantine licenced of four; the three honest nodes keep agreeing
and committing.

For each mode (node/byzantine.h) a fresh network is started: the Byzantine
node runs `licenced --test-byzantine MODE` with LICENCED_ALLOW_BYZANTINE=1,
the others are honest. By default the Byzantine node is replica 0, the primary
of view 0 (equivocation only bites as a primary); LICENCED_LONG_TESTS=1 adds
runs with a Byzantine backup and with every mode at once. While it misbehaves
a background `licencectl load` runs over all four nodes. Checks:
  - every transaction of the load is committed (the honest nodes make progress);
  - the honest nodes end on one height, head hash and state root, and have the
    same block hash at EVERY height;
  - the Byzantine node really misbehaved (its log says so and the honest nodes
    counted rejected peer messages where the mode produces invalid ones);
  - licenced refuses --test-byzantine without LICENCED_ALLOW_BYZANTINE=1.
"""

import os
import subprocess

import e2e_lib
import e2e_grpc
from e2e_lib import find_bin, log, wait_until

LONG = os.environ.get("LICENCED_LONG_TESTS") == "1"
LOAD = 600 if LONG else 150


def refuses_without_env(net):
    org = net.validators()[0][0]
    env = {k: v for k, v in os.environ.items() if k != "LICENCED_ALLOW_BYZANTINE"}
    p = subprocess.run([find_bin("licenced"), "--config", os.path.join(net.dir, org, "node.toml"),
                        "--test-byzantine", "equivocate"], capture_output=True, text=True,
                       timeout=60, env=env)
    assert p.returncode == 2, f"licenced started without LICENCED_ALLOW_BYZANTINE ({p.returncode})"
    assert "LICENCED_ALLOW_BYZANTINE=1" in p.stderr, p.stderr
    p = subprocess.run([find_bin("licenced"), "--config", os.path.join(net.dir, org, "node.toml"),
                        "--test-byzantine", "bogus"], capture_output=True, text=True, timeout=60,
                       env={**env, "LICENCED_ALLOW_BYZANTINE": "1"})
    assert p.returncode == 2 and "unknown mode 'bogus'" in p.stderr, p.stderr
    log("licenced refuses --test-byzantine without the env var and with an unknown mode")


def run_mode(mode, byz_index):
    net = e2e_lib.Network(f"byz-{mode}", view_change_timeout_ms=1000)
    ok = False
    try:
        vals = net.validators()
        byz_org = vals[byz_index][0]
        honest = [o for o, _, i in vals if i != byz_index]
        log(f"=== mode {mode}: Byzantine {byz_org} (replica {byz_index}), honest {honest}")
        if mode == "equivocate" and byz_index == 0:
            refuses_without_env(net)
        for o in honest:
            net.start(o)
        net.start_custom(byz_org, ["--test-byzantine", mode],
                         env={"LICENCED_ALLOW_BYZANTINE": "1"})
        result = net.load(LOAD, concurrency=8, extra=["--tx-timeout", "240"], timeout=900)
        assert result["committed"] == LOAD and result["failed"] == 0, \
            f"not every transaction committed with a Byzantine node: {result}"
        h = net.wait_converged(orgs=honest, min_height=1, timeout=300)
        e2e_grpc.assert_same_blocks(net, honest, h)
        # A second round of load after the first view changes settle.
        result = net.load(LOAD // 3, concurrency=4, extra=["--tx-timeout", "240"], timeout=900)
        assert result["committed"] == LOAD // 3 and result["failed"] == 0, result
        h2 = net.wait_converged(orgs=honest, min_height=h + 1, timeout=300)
        e2e_grpc.assert_same_blocks(net, honest, h2)
        with open(os.path.join(net.dir, byz_org, "licenced.log"), errors="replace") as f:
            text = f.read()
        assert "TEST-ONLY BYZANTINE MODE" in text, "the Byzantine node did not run in its mode"
        evidence = {"equivocate": "byzantine: equivocating pre-prepare sent",
                    "double-vote": "byzantine: double vote sent",
                    "absurd-view": "byzantine: absurd view sent",
                    "flood": "byzantine: flood sent"}
        for m, line in evidence.items():
            if m in mode.split(",") or mode == "all":
                if m == "equivocate" and byz_index != 0:
                    continue  # only a primary proposes
                assert line in text, f"the Byzantine node never did '{m}' (no '{line}' in its log)"
        if "flood" in mode or mode == "all":
            rejected = sum(net.metric(o, "licenced_peer_messages_rejected_total") or 0
                           for o in honest)
            log(f"honest nodes rejected {rejected} peer messages")
            assert rejected > 0, "the flood did not reach the honest nodes"
        # The honest replicas drop what the Byzantine node forges, and count it by reason.
        def dropped(reason):
            return sum(net.metric(o, f'licenced_consensus_dropped_total{{reason="{reason}"}}') or 0
                       for o in honest)
        if "double-vote" in mode or mode == "all":
            log(f"honest nodes dropped {dropped('equivocation')} equivocating votes")
            assert dropped("equivocation") > 0, "no honest node counted the double votes"
        if "absurd-view" in mode or mode == "all":
            log(f"honest nodes dropped {dropped('too_far_ahead')} messages for absurd views")
            assert dropped("too_far_ahead") > 0, "no honest node counted the absurd views"
        views = {o: net.node_status(o)["view"] for o in honest}
        log(f"mode {mode}: honest nodes agree on 1..{h2}; views {views}")
        assert max(views.values()) < 1000, f"an absurd view number dragged an honest node: {views}"
        ok = True
    finally:
        net.failed = not ok
        if not ok:
            net.dump_logs()
        net.close()


def main():
    e2e_lib.require_bins("licencectl", "licenced")
    runs = [("equivocate", 0), ("double-vote", 0), ("absurd-view", 0), ("flood", 0)]
    if LONG:
        runs += [("double-vote,absurd-view,flood", 2), ("all", 0), ("all", 3)]
    failed = []
    for mode, idx in runs:
        try:
            run_mode(mode, idx)
        except Exception as e:  # noqa: BLE001
            log(f"FAIL mode {mode} (replica {idx}): {e}")
            failed.append(mode)
    if failed:
        log(f"FAIL byzantine: {failed}")
        raise SystemExit(1)
    log("PASS byzantine")


if __name__ == "__main__":
    main()
