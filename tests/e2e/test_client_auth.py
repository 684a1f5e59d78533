#!/usr/bin/env python3
"""e2e: client-certificate authentication on the client API (listen.require_client_cert).

A four-node network; market's node is restarted with require_client_cert = true.
Then, against market's client listener:
  - no client certificate: the TLS handshake fails (UNAVAILABLE), for raw gRPC
    and for licencectl (which says to give --cert and --key-tls);
  - a certificate from another CA (naming a real validator): refused the same way;
  - a certificate signed by the network CA: served, and a transaction submitted
    through licencectl --cert/--key-tls commits;
  - the other nodes, without the option, still serve clients without a certificate.
Then market is restarted with listen.client_ca = a separate clerks' CA: a
certificate from that CA is served and the network CA's is refused. A client_ca
without require_client_cert is a config error (exit 2, names the field).
"""

import json
import os
import subprocess
import tempfile

import e2e_lib
from e2e_lib import find_bin, log, run, wait_until
import e2e_grpc as g
from e2e_grpc import grpc


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_ca(tmp, name):
    key, cert = os.path.join(tmp, f"{name}-key.pem"), os.path.join(tmp, f"{name}.pem")
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
    openssl("req", "-x509", "-new", "-key", key, "-sha256", "-days", "2", "-subj", f"/CN={name}",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", cert)
    return cert, key


def make_client_cert(tmp, name, cn, ca_cert, ca_key):
    key, csr = os.path.join(tmp, f"{name}-key.pem"), os.path.join(tmp, f"{name}.csr")
    cert, ext = os.path.join(tmp, f"{name}.pem"), os.path.join(tmp, f"{name}.ext")
    with open(ext, "w") as f:
        f.write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                f"extendedKeyUsage=clientAuth\nsubjectAltName=DNS:{cn}\n")
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
    openssl("req", "-new", "-key", key, "-subj", f"/CN={cn}", "-out", csr)
    openssl("x509", "-req", "-in", csr, "-CA", ca_cert, "-CAkey", ca_key, "-CAcreateserial",
            "-days", "2", "-extfile", ext, "-out", cert)
    return cert, key


ORIGINAL_TOML = {}


def set_listen_options(net, org, lines):
    """Rewrites org's node.toml as generated, with `lines` added to its [listen] table."""
    path = os.path.join(net.dir, org, "node.toml")
    base = ORIGINAL_TOML.setdefault(path, open(path).read())
    assert "[listen]\n" in base, base
    head, rest = base.split("[listen]\n", 1)
    with open(path, "w") as f:
        f.write(head + "[listen]\n" + "".join(line + "\n" for line in lines) + rest)


def channel(net, org, cert=None, key=None):
    toml = os.path.join(net.dir, org, "node.toml")
    creds = grpc.ssl_channel_credentials(
        root_certificates=open(os.path.join(net.dir, "ca.pem"), "rb").read(),
        private_key=open(key, "rb").read() if key else None,
        certificate_chain=open(cert, "rb").read() if cert else None)
    return grpc.secure_channel(g.read_toml_value(toml, "client"), creds,
                               options=[("grpc.ssl_target_name_override",
                                         g.read_toml_value(toml, "node_id"))])


def get_status(net, org, cert=None, key=None):
    ch = channel(net, org, cert, key)
    try:
        g.call(ch, "GetStatus", g.pb.GetStatusRequest(), timeout=5)
        return grpc.StatusCode.OK
    except grpc.RpcError as e:
        return e.code()
    finally:
        ch.close()


def ctl(net, org, *args, cert=None, key=None):
    cmd = [net.ctl, "--net", net.dir, "--org", org, "--timeout", "5", "--json"]
    if cert:
        cmd += ["--cert", cert, "--key-tls", key]
    return run(cmd + list(args), check=False, timeout=120)


def restart(net, org, lines):
    net.stop(org)
    set_listen_options(net, org, lines)
    net.start(org)


def test(net):
    net.up()
    tmp = tempfile.mkdtemp(prefix="licenced-clientauth-")
    net_ca, net_ca_key = os.path.join(net.dir, "ca.pem"), os.path.join(net.dir, "ca-key.pem")
    good = make_client_cert(tmp, "window-pc", "market-window-pc", net_ca, net_ca_key)
    foreign_ca = make_ca(tmp, "foreign-ca")
    # Names a real validator: the name does not matter, the signer does.
    foreign = make_client_cert(tmp, "foreign", net.validators()[0][1], *foreign_ca)

    restart(net, "market", ["require_client_cert = true"])
    wait_until("market serves a client with a certificate",
               lambda: get_status(net, "market", *good) == grpc.StatusCode.OK, 60)
    log("ok   market requires client certificates and serves a network-CA certificate")

    assert get_status(net, "market") == grpc.StatusCode.UNAVAILABLE
    log("ok   raw gRPC without a client certificate: UNAVAILABLE")
    assert get_status(net, "market", *foreign) == grpc.StatusCode.UNAVAILABLE
    log("ok   raw gRPC with another CA's certificate: UNAVAILABLE")

    p = ctl(net, "market", "tx", "submit", "--chaincode", "system", "--method", "ping",
            "--args", "{}")
    assert p.returncode != 0, p.stdout
    assert "UNAVAILABLE" in p.stderr and "--cert" in p.stderr, p.stderr
    log("ok   licencectl without --cert: refused, and told to give --cert and --key-tls")
    p = ctl(net, "market", "tx", "submit", "--chaincode", "system", "--method", "ping",
            "--args", "{}", cert=foreign[0], key=foreign[1])
    assert p.returncode != 0 and "UNAVAILABLE" in p.stderr, p.stderr
    log("ok   licencectl with another CA's certificate: refused")
    p = ctl(net, "market", "tx", "submit", "--chaincode", "system", "--method", "ping",
            "--args", "{}", cert=good[0], key=good[1])
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out.get("committed") is True or out.get("height"), out
    log(f"ok   licencectl --cert/--key-tls: transaction committed ({p.stdout.strip()[:120]})")

    for org in net.orgs():
        if org != "market":
            assert get_status(net, org) == grpc.StatusCode.OK, org
    log("ok   the other nodes still serve clients without a certificate")

    # A separate CA for the bureau's own client machines.
    clerk_ca = make_ca(tmp, "market-clerks-ca")
    clerk = make_client_cert(tmp, "clerk-pc", "market-clerk-pc", *clerk_ca)
    restart(net, "market", ["require_client_cert = true", f'client_ca = "{clerk_ca[0]}"'])
    wait_until("market serves a clerks'-CA certificate",
               lambda: get_status(net, "market", *clerk) == grpc.StatusCode.OK, 60)
    assert get_status(net, "market", *good) == grpc.StatusCode.UNAVAILABLE
    assert get_status(net, "market") == grpc.StatusCode.UNAVAILABLE
    log("ok   listen.client_ca: that CA's certificate served, the network CA's refused")

    # client_ca without require_client_cert: a config error, nothing starts.
    net.stop("market")
    set_listen_options(net, "market", [f'client_ca = "{clerk_ca[0]}"'])
    p = run([find_bin("licenced"), "--config", os.path.join(net.dir, "market", "node.toml")],
            check=False, timeout=60)
    assert p.returncode == 2 and "listen.client_ca" in p.stderr, (p.returncode, p.stderr)
    log(f"ok   client_ca alone is refused: {p.stderr.strip()[:160]}")
    subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    e2e_lib.main(test, "client_auth")
