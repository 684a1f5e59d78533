"""e2e: licencectl keygen / network generate, deploy/gen-tls.sh and deploy/local-net
without a running daemon.

Checks the files a network is made of (genesis in the format core/genesis.h
defines, one config and key set per validator org, keys and member orgs,
distinct ports, mode 0600 on secrets), that the TLS certificates verify
against the CA and carry the node name, localhost and 127.0.0.1, that
local-net reports a stopped network correctly, and that usage and config
errors exit with code 2 and a message saying what to do.
"""

import json
import os
import stat
import subprocess
import sys
import tempfile

import e2e_lib
from e2e_lib import GEN_TLS, LOCAL_NET, find_bin, log, run

failures = []


def check(cond, what):
    if cond:
        log(f"ok   {what}")
    else:
        log(f"FAIL {what}")
        failures.append(what)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_keygen(ctl, tmp):
    key = os.path.join(tmp, "clerk.key")
    p = run([ctl, "--json", "keygen", "--out", key])
    out = json.loads(p.stdout)
    check(os.path.exists(key) and os.path.exists(key + ".pub"), "keygen writes FILE and FILE.pub")
    check(mode(key) == 0o600, "key file is mode 0600")
    with open(key + ".pub") as f:
        check(f.read().strip() == out["public_key"], "FILE.pub holds the printed public key")
    check(len(out["public_key"]) == 64 and not out["encrypted"], "keygen --json fields")
    p = run([ctl, "keygen", "--out", key], check=False)
    check(p.returncode == 2 and "already exists" in p.stderr and "--force" in p.stderr,
          "keygen refuses to overwrite (exit 2, says --force)")
    pp = os.path.join(tmp, "pass")
    with open(pp, "w") as f:
        f.write("correct horse\n")
    p = run([ctl, "--json", "keygen", "--out", os.path.join(tmp, "enc.key"), "--passphrase-file", pp])
    check(json.loads(p.stdout)["encrypted"], "keygen --passphrase-file encrypts")
    with open(os.path.join(tmp, "enc.key")) as f:
        text = f.read()
    check(not any(l.startswith("seed:") for l in text.splitlines()) and "sealed" in text, "encrypted key file holds no clear seed")
    p = run([ctl, "keygen"], check=False)
    check(p.returncode == 2 and "--out" in p.stderr, "keygen without --out is a usage error (exit 2)")


def test_generate(ctl, tmp):
    d = os.path.join(tmp, "net")
    p = run([ctl, "--json", "network", "generate", "--dir", d])
    summary = json.loads(p.stdout)
    with open(os.path.join(d, "genesis.json")) as f:
        g = json.load(f)
    orgs = {o["id"]: o for o in g["organisations"]}
    check(set(orgs) == {"market", "police", "social", "tax", "health", "bank"}, "default orgs")
    check([v["org"] for v in g["validators"]] == ["market", "police", "social", "tax"],
          "one validator per validator org, in order")
    check(all(orgs[o]["runs_validator"] for o in ["market", "police", "social", "tax"]) and
          not orgs["health"]["runs_validator"] and not orgs["bank"]["runs_validator"],
          "runs_validator flags")
    check(any(t["code"] == "BL" and t["issuer_orgs"] == ["market"] for t in g["licence_types"]),
          "business licence type issued by market")
    check(len(g["holidays"]) > 0 and g["consensus"]["checkpoint_interval"] == 32, "holidays, consensus")
    # Each org's issuer credit code, as docs/chaincode.md derives it.
    check(orgs["market"].get("credit_code") == "11370100EGG603UWCM" and
          orgs["health"].get("credit_code") == "1137010082514AQ7ND" and
          all(len(o.get("credit_code", "")) == 18 for o in orgs.values()),
          "every org's credit code is in genesis")
    for org in ["market", "police", "social", "tax"]:
        od = os.path.join(d, org)
        for name in ["node.toml", "validator.key", "admin.key", "admin.key.pub", "encryption.key",
                     "encryption.key.pub"]:
            check(os.path.exists(os.path.join(od, name)), f"{org}/{name} exists")
        check(mode(os.path.join(od, "validator.key")) == 0o600, f"{org}/validator.key is 0600")
        with open(os.path.join(od, "admin.key.pub")) as f:
            check(f.read().strip() in orgs[org]["admin_keys"], f"{org} admin key is in genesis")
        with open(os.path.join(od, "encryption.key.pub")) as f:
            check(f.read().strip() == orgs[org]["encryption_key"], f"{org} encryption key is in genesis")
    for org in ["health", "bank"]:
        check(not os.path.exists(os.path.join(d, org, "node.toml")) and
              os.path.exists(os.path.join(d, org, "admin.key")), f"member {org}: keys, no node")
    ports = []
    for n in summary["nodes"]:
        ports += [n["peer"], n["client"], n["http"]]
    check(len(set(ports)) == 12, "12 distinct listen addresses")
    check([v["address"] for v in g["validators"]] == [n["peer"] for n in summary["nodes"]],
          "genesis validator addresses are the peer listeners")

    p = run([ctl, "network", "generate", "--dir", d], check=False)
    check(p.returncode == 2 and "already exists" in p.stderr, "generate refuses an existing network")
    p = run([ctl, "network", "generate", "--dir", os.path.join(tmp, "bad"), "--orgs", "Market"],
            check=False)
    check(p.returncode == 2 and "Market" in p.stderr, "generate rejects a bad org id, naming it")
    p = run([ctl, "network", "generate", "--dir", os.path.join(tmp, "dup"), "--orgs", "a,b,a"],
            check=False)
    check(p.returncode == 2 and "twice" in p.stderr, "generate rejects a repeated org")
    p = run([ctl, "--json", "network", "generate", "--dir", os.path.join(tmp, "small"), "--orgs",
             "alpha", "--no-members"])
    check(len(json.loads(p.stdout)["nodes"]) == 1, "a one-org network")
    return d


def test_tls(d):
    p = run([GEN_TLS, d])
    check(mode(os.path.join(d, "ca-key.pem")) == 0o600, "CA key is 0600")
    for org in ["market", "police", "social", "tax"]:
        cert = os.path.join(d, org, "tls.pem")
        check(mode(os.path.join(d, org, "tls-key.pem")) == 0o600, f"{org} TLS key is 0600")
        v = subprocess.run(["openssl", "verify", "-CAfile", os.path.join(d, "ca.pem"), cert],
                           capture_output=True, text=True)
        check(v.returncode == 0, f"{org} certificate verifies against the CA")
        t = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-subject", "-ext",
                            "subjectAltName"], capture_output=True, text=True).stdout
        check(f"CN = {org}-0" in t and f"DNS:{org}-0" in t and "DNS:localhost" in t and
              "127.0.0.1" in t, f"{org} certificate names {org}-0, localhost, 127.0.0.1")
    before = open(os.path.join(d, "market", "tls.pem")).read()
    run([GEN_TLS, d])
    check(open(os.path.join(d, "market", "tls.pem")).read() == before, "gen-tls.sh re-run keeps certs")
    p = run([GEN_TLS, os.path.join(d, "nope")], check=False)
    check(p.returncode == 2, "gen-tls.sh on a missing dir exits 2")


def test_stopped_network(ctl, d):
    p = run([LOCAL_NET, "status", "--json", "--dir", d])
    st = json.loads(p.stdout)
    check([n["org"] for n in st] == ["market", "police", "social", "tax"], "status lists the four nodes")
    check(all(not n["up"] and n["pid"] is None and n["height"] is None and n["client"] for n in st),
          "stopped nodes: up false, no pid, client address shown")
    p = run([LOCAL_NET, "stop", "market", "--dir", d])
    check("not running" in p.stdout, "stopping a stopped node is fine")
    p = run([LOCAL_NET, "stop", "nosuch", "--dir", d], check=False)
    check(p.returncode == 2 and "not a validator org" in p.stderr, "unknown org is named")
    p = run([LOCAL_NET, "start", "market", "--dir", d], check=False,
            env={"LICENCED_BIN_DIR": os.path.join(d, "no-bin")})
    check(p.returncode == 2 and "LICENCED_BIN_DIR" in p.stderr, "missing binary says how to fix it")
    p = run([LOCAL_NET, "frobnicate", "--dir", d], check=False)
    check(p.returncode == 2 and "unknown command" in p.stderr, "unknown command exits 2")
    p = run([LOCAL_NET, "status", "--dir", os.path.join(d, "empty")], check=False)
    check(p.returncode == 2 and "local-net up" in p.stderr, "status without a network says to run up")
    p = run([ctl, "--net", d, "status"], check=False)
    check(p.returncode == 2 and "DOWN" in p.stdout, "licencectl status on a stopped network: DOWN, exit 2")
    p = run([ctl, "status"], check=False)
    check(p.returncode == 2 and "--net" in p.stderr, "licencectl without a node says --node/--net")
    p = run([ctl, "--node", "127.0.0.1:1", "status"], check=False)
    check(p.returncode == 2 and "--ca" in p.stderr, "--node without --ca is refused")
    p = run([ctl, "--net", d, "--org", "market", "--key", os.path.join(d, "nokey"), "tx", "submit",
             "--chaincode", "identity", "--method", "x"], check=False)
    check(p.returncode == 2 and "nokey" in p.stderr, "a missing signing key is named")


def main():
    e2e_lib.require_bins("licencectl")
    ctl = find_bin("licencectl")
    with tempfile.TemporaryDirectory(prefix="licenced-e2e-tools-") as tmp:
        test_keygen(ctl, tmp)
        d = test_generate(ctl, tmp)
        test_tls(d)
        test_stopped_network(ctl, d)
    if failures:
        log(f"FAIL tools: {len(failures)} check(s) failed: {failures}")
        sys.exit(1)
    log("PASS tools")


if __name__ == "__main__":
    main()
