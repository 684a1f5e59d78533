"""Raw gRPC access to licenced for the adversarial e2e tests.

Needs python3-grpcio, python3-protobuf and python3-cryptography (Debian
packages, deploy/install-deps.sh) and protoc: the message classes are
generated from proto/licenced.proto into a temp dir at import time. Calls are
made with generic stubs, so a test can send any bytes as a request.

Also signs transactions like core/transaction.h (Ed25519 over
SigningBytes("licenced/tx/v1", body)) from key files (docs/keys.md).
"""

import hashlib
import importlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

from e2e_lib import REPO, SKIP, log

try:
    import grpc
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives import serialization
except ImportError as e:  # pragma: no cover - depends on the machine
    print(f"SKIP: python module missing ({e}); run deploy/install-deps.sh", flush=True)
    sys.exit(SKIP)

PROTO = os.path.join(REPO, "proto", "licenced.proto")


def _load_pb2():
    protoc = shutil.which("protoc")
    if protoc is None:
        print("SKIP: protoc not installed (protobuf-compiler)", flush=True)
        sys.exit(SKIP)
    out = tempfile.mkdtemp(prefix="licenced-pb2-")
    subprocess.run([protoc, f"-I{os.path.dirname(PROTO)}", f"--python_out={out}", PROTO], check=True)
    sys.path.insert(0, out)
    try:
        return importlib.import_module("licenced_pb2")
    finally:
        sys.path.remove(out)
        shutil.rmtree(out, ignore_errors=True)


pb = _load_pb2()

CLIENT = "/licenced.v1.ClientApi/"
PEER = "/licenced.v1.PeerApi/"
# method -> (request class, response class, kind)
CLIENT_RPCS = {
    "SubmitTransaction": (pb.SubmitRequest, pb.SubmitResponse, "unary"),
    "SubmitTransactions": (pb.SubmitBatchRequest, pb.SubmitBatchResponse, "unary"),
    "GetTransaction": (pb.GetTransactionRequest, pb.TransactionInfo, "unary"),
    "GetBlock": (pb.GetBlockRequest, pb.BlockInfo, "unary"),
    "Query": (pb.QueryRequest, pb.QueryResponse, "unary"),
    "StreamEvents": (pb.EventFilter, pb.Event, "stream"),
    "GetStatus": (pb.GetStatusRequest, pb.NodeStatus, "unary"),
    "GetStateProof": (pb.GetStateProofRequest, pb.StateProof, "unary"),
    "GetTxProof": (pb.GetTxProofRequest, pb.TxProof, "unary"),
}
PEER_RPCS = {
    "Connect": (pb.PeerEnvelope, pb.PeerEnvelope, "bidi"),
    "FetchBlocks": (pb.FetchBlocksRequest, pb.BlockWithCert, "stream"),
}


def read_toml_value(path, key):
    with open(path) as f:
        for line in f:
            s = line.strip()
            if s.startswith(key) and "=" in s and s.split("=", 1)[0].strip() == key:
                return s.split("=", 1)[1].strip().strip('"')
    return None


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def client_channel(net_dir, org, max_send=64 * 1024 * 1024):
    """TLS channel to the org's ClientApi (server cert checked against the network CA)."""
    toml = os.path.join(net_dir, org, "node.toml")
    addr = read_toml_value(toml, "client")
    node_id = read_toml_value(toml, "node_id")
    creds = grpc.ssl_channel_credentials(root_certificates=_read(os.path.join(net_dir, "ca.pem")))
    opts = [("grpc.ssl_target_name_override", node_id),
            ("grpc.max_send_message_length", max_send),
            ("grpc.max_receive_message_length", 64 * 1024 * 1024)]
    return grpc.secure_channel(addr, creds, options=opts)


def peer_channel(net_dir, org, ca_pem, cert_pem=None, key_pem=None, target_name=None):
    """mTLS channel to the org's PeerApi with the given client certificate (or none)."""
    toml = os.path.join(net_dir, org, "node.toml")
    addr = read_toml_value(toml, "peer")
    node_id = read_toml_value(toml, "node_id")
    creds = grpc.ssl_channel_credentials(root_certificates=ca_pem, private_key=key_pem,
                                         certificate_chain=cert_pem)
    opts = [("grpc.ssl_target_name_override", target_name or node_id)]
    return grpc.secure_channel(addr, creds, options=opts)


def _ident(b):
    return b


def raw_call(channel, service, method, kind, payload, timeout=10):
    """Sends `payload` (bytes, or a list of bytes for bidi) as the request of one
    RPC; returns (status_code, details, responses)."""
    path = service + method
    try:
        if kind == "unary":
            r = channel.unary_unary(path, request_serializer=_ident, response_deserializer=_ident)(
                payload, timeout=timeout)
            return grpc.StatusCode.OK, "", [r]
        if kind == "stream":
            it = channel.unary_stream(path, request_serializer=_ident, response_deserializer=_ident)(
                payload, timeout=timeout)
            return grpc.StatusCode.OK, "", list(it)
        it = channel.stream_stream(path, request_serializer=_ident, response_deserializer=_ident)(
            iter(payload), timeout=timeout)
        return grpc.StatusCode.OK, "", list(it)
    except grpc.RpcError as e:
        return e.code(), e.details() or "", []


def call(channel, method, request, timeout=30):
    """A typed ClientApi unary call; raises grpc.RpcError on failure."""
    req_cls, resp_cls, _ = CLIENT_RPCS[method]
    stub = channel.unary_unary(CLIENT + method, request_serializer=lambda m: m.SerializeToString(),
                               response_deserializer=resp_cls.FromString)
    return stub(request, timeout=timeout)


def status_code(channel, method, request, timeout=30):
    try:
        return grpc.StatusCode.OK, "", call(channel, method, request, timeout)
    except grpc.RpcError as e:
        return e.code(), e.details() or "", None


# ---------------------------------------------------------------- keys and txs

class Key:
    """An Ed25519 signing key (from a docs/keys.md key file or fresh)."""

    def __init__(self, seed=None):
        self.sk = (Ed25519PrivateKey.from_private_bytes(seed) if seed is not None
                   else Ed25519PrivateKey.generate())
        self.pub = self.sk.public_key().public_bytes(serialization.Encoding.Raw,
                                                     serialization.PublicFormat.Raw)

    @staticmethod
    def load(path):
        fields = {}
        with open(path) as f:
            for line in f:
                if ":" in line:
                    k, v = line.split(":", 1)
                    fields[k.strip()] = v.strip()
        return Key(bytes.fromhex(fields["seed"]))

    def sign(self, tag, body):
        return self.sk.sign(signing_bytes(tag, body))


def _var(b):
    return struct.pack(">I", len(b)) + b


def signing_bytes(tag, body):
    return _var(tag.encode()) + body


TX_TAG = "licenced/tx/v1"


class Tx:
    def __init__(self, network_id, chaincode, method, args, key, nonce=None):
        self.network_id, self.chaincode, self.method = network_id, chaincode, method
        self.args = args.encode() if isinstance(args, str) else args
        self.key = key
        self.nonce = nonce if nonce is not None else int.from_bytes(os.urandom(8), "big")
        self.signature = key.sign(TX_TAG, self.body())

    def body(self):
        return (_var(self.network_id.encode()) + _var(self.chaincode.encode()) +
                _var(self.method.encode()) + _var(self.args) + self.key.pub +
                struct.pack(">Q", self.nonce))

    def encode(self):
        return self.body() + self.signature

    def id_hex(self):
        return hashlib.sha256(signing_bytes(TX_TAG, self.body())).hexdigest()


def submit(channel, tx_bytes, wait=True, timeout_ms=60000):
    """Submits encoded tx bytes; returns (code, details, SubmitResponse or None)."""
    req = pb.SubmitRequest(transaction=tx_bytes, wait_for_commit=wait, timeout_ms=timeout_ms)
    return status_code(channel, "SubmitTransaction", req, timeout=timeout_ms / 1000 + 30)


def tx_known(channel, tx_id_hex):
    """True if the node knows the tx (committed or pending)."""
    code, _, _ = status_code(channel, "GetTransaction", pb.GetTransactionRequest(tx_id_hex=tx_id_hex))
    return code == grpc.StatusCode.OK


def block_hashes(channel, upto):
    """{height: hash_hex} for 1..upto via GetBlock."""
    out = {}
    for h in range(1, upto + 1):
        out[h] = call(channel, "GetBlock", pb.GetBlockRequest(height=h)).hash_hex
    return out


def node_status(channel):
    return call(channel, "GetStatus", pb.GetStatusRequest(), timeout=10)


def assert_same_blocks(net, orgs, upto):
    """Every org's node has the same block hash at every height 1..upto (over
    gRPC, much faster than one licencectl per block)."""
    hashes = {}
    for o in orgs:
        ch = client_channel(net.dir, o)
        try:
            hashes[o] = block_hashes(ch, upto)
        finally:
            ch.close()
    first = orgs[0]
    for h in range(1, upto + 1):
        seen = {o: hashes[o][h] for o in orgs}
        assert len(set(seen.values())) == 1, f"divergence at height {h}: {seen}"
    log(f"{orgs}: same block hash at every height 1..{upto} (head {hashes[first][upto][:16]})")


def _main(argv):
    """`e2e_grpc.py hashes NETDIR ORG UPTO`: prints {height: hash} of ORG's node
    as JSON (the partition test runs it inside a node's network namespace)."""
    if len(argv) == 5 and argv[1] == "hashes":
        ch = client_channel(argv[2], argv[3])
        print(json.dumps(block_hashes(ch, int(argv[4]))))
        return 0
    print("usage: e2e_grpc.py hashes NETDIR ORG UPTO", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv))

__all__ = ["grpc", "pb", "log"]
