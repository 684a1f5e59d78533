#!/usr/bin/env python3
"""e2e: a node's TLS certificate and key replaced while the network runs.

A four-node network under a background load. Then, on market's node:
  - status and /metrics show the certificate it serves (subject, fingerprint,
    days to expiry of it and of its CA);
  - `deploy/gen-tls.sh --renew market` (a new key and certificate from the same
    CA, valid 20 days): the node serves it on new connections without a
    restart, counts the reload, and warns in its log that it expires within
    30 days; police and social, restarted, connect to market over the new
    certificate and market's links to them present it; the network commits;
  - a replacement that names another validator (police's pair copied over
    market's files) is refused: logged with the reason, counted, shown in
    status, and the node goes on serving its previous certificate;
  - SIGHUP re-reads the files at once (after another renewal).
At the end the whole load committed and no node diverged.
"""

import hashlib
import os
import shutil
import signal
import ssl
import subprocess

import e2e_lib
from e2e_lib import log, run, wait_until

LOAD = 400
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GEN_TLS = os.path.join(REPO, "deploy", "gen-tls.sh")


def served_fingerprint(address):
    """SHA-256 of the certificate a TLS handshake with `address` gets, or None."""
    host, port = address.rsplit(":", 1)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["h2"])
    try:
        import socket
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            with ctx.wrap_socket(sock, server_hostname="localhost") as tls:
                return hashlib.sha256(tls.getpeercert(binary_form=True)).hexdigest()
    except OSError:
        return None


def file_fingerprint(path):
    with open(path) as f:
        return hashlib.sha256(ssl.PEM_cert_to_DER_cert(f.read())).hexdigest()


def node_log(net, org):
    return net.local_net("logs", org, "--lines", "400").stdout


def heights_advance(net, orgs):
    before = {o: net.node_status(o)["height"] for o in orgs}
    net.ctl_json("tx", "submit", "--chaincode", "system", "--method", "ping", "--args", "{}",
                 org=orgs[0])
    wait_until("every node commits past its height",
               lambda: all((net.node_status(o) or {}).get("height", 0) > before[o] for o in orgs),
               60)


def test(net):
    net.up()
    ids = os.path.join(net.dir, "load-ids.txt")
    load = net.load_async(LOAD, 2, ids, extra=("--rate", "15"))
    address = net.node_status("market")["address"]

    st = net.node_status("market")
    tls = st["tls"]
    assert tls["subject"] == st["node_id"], tls
    assert 800 <= tls["days_to_expiry"] <= 825 and tls["ca_days_to_expiry"] >= 800, tls
    assert tls["reloads_applied"] == 0 and tls["reloads_refused"] == 0, tls
    first = tls["fingerprint_sha256"]
    assert served_fingerprint(address) == first
    days = net.metric("market", 'licenced_tls_certificate_expiry_days{certificate="node"}')
    assert days is not None and 800 < days < 826, days
    log(f"ok   market serves {tls['subject']} ({first[:16]}), {tls['days_to_expiry']} days left")

    # Renewal: same CA, same name, new key, valid 20 days.
    run([GEN_TLS, "--renew", "market", "--days", "20", net.dir])
    renewed = file_fingerprint(os.path.join(net.dir, "market", "tls.pem"))
    assert renewed != first
    wait_until("market serves the renewed certificate",
               lambda: served_fingerprint(address) == renewed, 30)
    tls = net.node_status("market")["tls"]
    assert tls["fingerprint_sha256"] == renewed and tls["reloads_applied"] == 1, tls
    assert 19 <= tls["days_to_expiry"] <= 20, tls
    assert net.metric("market", 'licenced_tls_reloads_total{result="applied"}') == 1
    text = node_log(net, "market")
    assert "now serving" in text and "expires in" in text, text[-2000:]
    log(f"ok   renewed without a restart: serving {renewed[:16]}, {tls['days_to_expiry']} days "
        "left, expiry warned in the log")

    # Peers handshake with the new certificate: police and social reconnect to
    # market (verifying it), market reconnects to them (presenting it).
    for org in ("police", "social"):
        net.stop(org)
        net.start(org)
    wait_until("market's links to police and social are up again",
               lambda: all(p["connected"] for p in (net.node_status("market") or {"peers": [
                   {"connected": False}]})["peers"]), 60)
    wait_until("police and social are connected to market",
               lambda: all(any(p["name"] == st["node_id"] and p["connected"]
                               for p in (net.node_status(o) or {"peers": []})["peers"])
                           for o in ("police", "social")), 60)
    heights_advance(net, net.orgs())
    log("ok   peers reconnected over the renewed certificate; the network commits")

    # A replacement naming another validator: refused, nothing changes.
    saved = {}
    for name in ("tls.pem", "tls-key.pem"):
        path = os.path.join(net.dir, "market", name)
        with open(path, "rb") as f:
            saved[name] = f.read()
    shutil.copy(os.path.join(net.dir, "police", "tls-key.pem"),
                os.path.join(net.dir, "market", "tls-key.pem"))
    shutil.copy(os.path.join(net.dir, "police", "tls.pem"),
                os.path.join(net.dir, "market", "tls.pem"))
    wait_until("market refuses police's certificate",
               lambda: net.metric("market", 'licenced_tls_reloads_total{result="refused"}') == 1, 30)
    tls = net.node_status("market")["tls"]
    assert tls["fingerprint_sha256"] == renewed, tls
    assert "police" in tls["last_refusal"] and "not this node" in tls["last_refusal"], tls
    assert served_fingerprint(address) == renewed
    assert "refused the new certificate" in node_log(net, "market")
    log(f"ok   a certificate naming police is refused ({tls['last_refusal']}); still serving "
        f"{renewed[:16]}")
    for name, data in saved.items():
        with open(os.path.join(net.dir, "market", name), "wb") as f:
            f.write(data)

    # SIGHUP: the files are read at once.
    run([GEN_TLS, "--renew", "market", net.dir])
    again = file_fingerprint(os.path.join(net.dir, "market", "tls.pem"))
    pid = next(n["pid"] for n in net.status() if n["org"] == "market")
    os.kill(int(pid), signal.SIGHUP)
    wait_until("market serves the certificate after SIGHUP",
               lambda: served_fingerprint(address) == again, 15)
    assert "(signal)" in node_log(net, "market")
    tls = net.node_status("market")["tls"]
    assert tls["days_to_expiry"] >= 800 and tls["reloads_refused"] == 1, tls
    log(f"ok   SIGHUP: serving {again[:16]}")

    assert load.wait(timeout=600) == 0, "the background load failed"
    data, p = net.ctl_json("--timeout", "10", "tx", "check", "--ids", ids, check=False, timeout=600)
    assert data is not None and data["ok"], f"load transactions missing: {data} {p.stderr}"
    net.wait_converged()
    net.assert_no_divergence(net.orgs())
    log("ok   the whole load committed; no divergence")


if __name__ == "__main__":
    e2e_lib.main(test, "tls_rotation")
