#!/usr/bin/env python3
"""interop: licenced's Verifiable Credentials checked by stock third-party verifiers, offline.

Starts a real four-bureau network on loopback (tests/e2e/e2e_lib.py), has the
social security bureau issue three social security cards, exports each as a
W3C VC 2.0 credential with `licencectl proof export --format vc` while it is
valid, then suspends one and revokes another. The bureaus' status list
credentials are fetched from the nodes' HTTP listeners and exported with
`licencectl proof status-list`; the two must carry the same bits. Every node
serves every org's lists: each node publishes its org's lists on the ledger,
and health (which runs no node) publishes with `proof status-list --publish`. Everything lands in a corpus directory, and
`node --test interop.test.js` (Node 20, the @digitalbazaar libraries pinned
in package-lock.json, no network: tests/interop/document-loader.js) checks
it: VALID for the fresh licence; rejected for every flipped byte of the proof
and the subject, a reordered @context, an expired validUntil, the revoked and
the suspended licence, and a status list signed by another org.

Needs `npm ci` in tests/interop (deploy/install-deps.sh runs it); fails,
rather than skips, without it.
"""

import base64
import gzip
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import e2e_lib  # noqa: E402
from e2e_lib import log, run  # noqa: E402

ISSUER = "social"  # runs a node, and issues the SSC type (validity 3650 days)
OTHER = "police"


def http_get(url):
    assert url.startswith("http://127.0.0.1:"), url  # loopback only
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.loads(r.read().decode())


def bits_of(status_list):
    enc = status_list["credentialSubject"]["encodedList"]
    assert enc[0] == "u", enc[:8]
    raw = base64.urlsafe_b64decode(enc[1:] + "=" * (-len(enc[1:]) % 4))
    bits = gzip.decompress(raw)
    assert len(bits) * 8 == 131072, len(bits)
    return bits


def bit(bits, index):
    return (bits[index // 8] >> (7 - index % 8)) & 1


def wait_served(url, want_bits, timeout_s=60):
    """The list at `url` once a node serves it with `want_bits` (publication is asynchronous)."""
    deadline = time.time() + timeout_s
    last = None
    while time.time() < deadline:
        try:
            served = http_get(url)
            if bits_of(served) == want_bits:
                return served
            last = "served with other bits"
        except urllib.error.HTTPError as e:
            last = f"{e.code} {e.read().decode().strip()}"
        time.sleep(0.5)
    raise AssertionError(f"{url} not served with the ledger's bits within {timeout_s}s: {last}")


def test(net):
    node = shutil.which("node")
    if node is None or not os.path.isdir(os.path.join(HERE, "node_modules", "@digitalbazaar", "vc")):
        raise AssertionError("Node.js or tests/interop/node_modules is missing: run deploy/install-deps.sh")
    net.up()
    corpus = os.path.join(net.dir, "interop-corpus")
    os.makedirs(corpus)
    holders = []
    for i in range(3):
        path = os.path.join(net.dir, f"holder-{i}.key")
        run([net.ctl, "keygen", "--out", path])
        holders.append(open(path + ".pub").read().strip())

    ids = []
    for i, holder in enumerate(holders):
        args = {"type": "SSC", "holder_key": holder, "holder_code_type": "none",
                "jurisdiction": "370102",
                "commitments": {"name": f"{i + 1:064x}"}}
        out, _ = net.ctl_json("tx", "submit", "--chaincode", "licence", "--method", "issue",
                              "--args", json.dumps(args), org=ISSUER)
        assert out["status"] == "OK", out
        ids.append(out["result"]["identifier"])
    fresh, to_suspend, to_revoke = ids
    log(f"issued {ids}")

    def filler(tag):
        # One more block, so that a header certifies the state after the last change.
        out, _ = net.ctl_json("tx", "submit", "--chaincode", "identity", "--method", "enrol_clerk",
                              "--args", json.dumps({"name": f"filler-{tag}",
                                                    "public_key": os.urandom(32).hex(),
                                                    "roles": ["clerk"]}), org=ISSUER)
        assert out["status"] == "OK", out

    filler("issued")
    creds = {}
    for name, lid in (("fresh", fresh), ("suspended", to_suspend), ("revoked", to_revoke)):
        path = os.path.join(corpus, f"{name}.vc.json")
        out, _ = net.ctl_json("proof", "export", lid, "--format", "vc", "--out", path, org=ISSUER)
        assert out["format"] == "vc" and out["licence_id"] == lid, out
        creds[name] = json.load(open(path))
        log(f"exported {name}: status index {out['status_list_index']}")

    # Bad input changes nothing: an admin key of another org is refused.
    p = run([net.ctl, "--net", net.dir, "--org", ISSUER, "proof", "export", fresh, "--format", "vc",
             "--out", os.path.join(corpus, "never.json"),
             "--issuer-key", os.path.join(net.dir, OTHER, "admin.key")], check=False)
    assert p.returncode == 2 and "not an admin key of org 'social'" in p.stderr, p.stderr
    assert not os.path.exists(os.path.join(corpus, "never.json"))

    net.ctl_json("licence", "suspend", to_suspend, "--reason", "inspection", org=ISSUER)
    net.ctl_json("licence", "revoke", to_revoke, "--reason", "fraud", org=ISSUER)
    filler("changed")

    base = creds["fresh"]["credentialStatus"][0]["statusListCredential"].rsplit("/credentials/", 1)[0]
    lists = {}
    for purpose in ("revocation", "suspension"):
        url = f"{base}/credentials/status/{ISSUER}/{purpose}/0"
        served = http_get(url)
        assert served["id"] == url, served["id"]
        path = os.path.join(corpus, f"{ISSUER}-{purpose}.json")
        out, _ = net.ctl_json("proof", "status-list", ISSUER, "--purpose", purpose, "--out", path,
                              org=ISSUER)
        exported = json.load(open(path))
        assert exported["id"] == url, (exported["id"], url)
        assert bits_of(exported) == bits_of(served), f"{purpose}: node and licencectl disagree"
        lists[purpose] = served
        json.dump(served, open(os.path.join(corpus, f"{ISSUER}-{purpose}.served.json"), "w"))
        log(f"{purpose} list at block {out['height']}: {out['set']} bit(s) set")
    idx = {k: int(c["credentialStatus"][0]["statusListIndex"]) for k, c in creds.items()}
    assert bit(bits_of(lists["suspension"]), idx["suspended"]) == 1
    assert bit(bits_of(lists["revocation"]), idx["revoked"]) == 1
    assert bit(bits_of(lists["revocation"]), idx["fresh"]) == 0
    assert bit(bits_of(lists["suspension"]), idx["fresh"]) == 0

    # Every node serves every org's lists: police's node serves social's as
    # social's node published it on the ledger (once it covers the changes)...
    police_base = "http://" + net.http_address(OTHER).replace("0.0.0.0:", "127.0.0.1:")
    for purpose in ("revocation", "suspension"):
        served = wait_served(f"{police_base}/credentials/status/{ISSUER}/{purpose}/0",
                             bits_of(lists[purpose]))
        assert served["issuer"] == lists[purpose]["issuer"], served["issuer"]
    log(f"{OTHER}'s node serves {ISSUER}'s published lists with the same bits")
    # ... social's node serves police's, published by police's node...
    other_path = os.path.join(corpus, f"{OTHER}-revocation.json")
    net.ctl_json("proof", "status-list", OTHER, "--purpose", "revocation", "--out", other_path,
                 org=OTHER)
    served = wait_served(f"{base}/credentials/status/{OTHER}/revocation/0",
                         bits_of(json.load(open(other_path))))
    assert served["issuer"]["issuerOrg"] == OTHER, served["issuer"]
    # ... and the lists of health, which runs no node, once its admin publishes them.
    try:
        http_get(f"{base}/credentials/status/health/revocation/0")
        raise AssertionError("a node served a list health never published")
    except urllib.error.HTTPError as e:
        assert e.code == 404 and "has published no revocation list 0" in e.read().decode(), e
    health_path = os.path.join(corpus, "health-revocation.json")
    out, _ = net.ctl_json("proof", "status-list", "health", "--purpose", "revocation",
                          "--out", health_path, "--status-base", base, "--publish", org=ISSUER)
    assert out["published"]["height"] > 0, out
    health_list = json.load(open(health_path))
    for where in (base, police_base):
        served = http_get(f"{where}/credentials/status/health/revocation/0")
        assert served == health_list, f"{where} serves another health list"
    log("health's list, published with licencectl, is served by every node")

    # The verification page is served by the node byte for byte as it is in the repository.
    for name in ("index.html", "page.js", "verifier.js", "qr.js", "style.css"):
        assert base.startswith("http://127.0.0.1:"), base
        with urllib.request.urlopen(f"{base}/verify/{name}", timeout=30) as r:
            served_page = r.read()
        with open(os.path.join(HERE, "..", "..", "web", "verify", name), "rb") as f:
            assert served_page == f.read(), f"/verify/{name} differs from web/verify/{name}"
    log(f"the verification page is served at {base}/verify/")

    # Our own verifier, which also checks the ledger evidence against the genesis.
    genesis = os.path.join(net.dir, "genesis.json")
    list_args = []
    for purpose in ("revocation", "suspension"):
        list_args += ["--status-list", os.path.join(corpus, f"{ISSUER}-{purpose}.served.json")]
    for name, result, reason in (("fresh", "VALID", ""), ("revoked", "INVALID", "LICENCE_REVOKED"),
                                 ("suspended", "INVALID", "LICENCE_SUSPENDED")):
        p = run([net.ctl, "--json", "proof", "verify-credential", os.path.join(corpus, f"{name}.vc.json"),
                 "--genesis", genesis, *list_args], check=False)
        v = json.loads(p.stdout)
        assert (v["result"], v["reason"]) == (result, reason), (name, v)
        assert p.returncode == (0 if result == "VALID" else 1), (name, p.returncode)
    log("licencectl proof verify-credential: fresh VALID, revoked and suspended refused")

    manifest = {"fresh": "fresh.vc.json", "suspended": "suspended.vc.json",
                "revoked": "revoked.vc.json",
                "lists": [f"{ISSUER}-revocation.served.json", f"{ISSUER}-suspension.served.json"],
                "other_org_list": f"{OTHER}-revocation.json"}
    json.dump(manifest, open(os.path.join(corpus, "manifest.json"), "w"), indent=2)
    env = dict(os.environ, LICENCED_INTEROP_CORPUS=corpus)
    p = subprocess.run([node, "--test", "--test-reporter=spec", os.path.join(HERE, "interop.test.js")],
                       cwd=HERE, env=env, capture_output=True, text=True, timeout=600)
    print(p.stdout, end="")
    print(p.stderr, end="", file=sys.stderr)
    assert p.returncode == 0, "node --test interop.test.js failed"


if __name__ == "__main__":
    e2e_lib.main(test, "interop")
