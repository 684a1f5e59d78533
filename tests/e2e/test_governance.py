#!/usr/bin/env python3
"""e2e: governance proposals on a running four-bureau network, under load.

  - market files `governance propose add-org` for a new member org (housing):
    open with one approval of three; the new org's admin key signs nothing yet;
  - refused, each with its reason and no change to the proposal: an approval by
    a member org (health), a second approval by market, a proposal that would
    leave three validators, a duplicate org id, a duplicate admin key;
  - police and social approve: applied on every node; the housing admin now
    enrols a clerk;
  - bank's admin key is replaced by proposal: the old key is refused from the
    applying block on, the new one signs;
  - a clerk rotates its own key (`clerk rotate-key`): the old key is refused,
    the new one signs;
  - `deploy/local-net add archive --apply` makes another member org's keys and
    files and approves its proposal;
  - `governance list|show` and `validator list` read it all back.
At the end the whole load committed and no node diverged.
"""

import os

import e2e_lib
from e2e_lib import log, run

LOAD = 300


def keygen(net, path):
    run([net.ctl, "keygen", "--out", path])
    with open(path + ".pub") as f:
        return f.read().split()[0]


def ctl(net, *args, org="market", key=None, check=True):
    extra = ["--key", key] if key else []
    return net.ctl_json(*extra, *args, org=org, check=check)


def refused(net, needle, *args, org="market", key=None):
    data, p = ctl(net, *args, org=org, key=key, check=False)
    assert p.returncode != 0, f"{args} was accepted: {p.stdout}"
    # A refused call reports on stderr; a committed-but-rejected tx (tx submit --json)
    # prints its result, with the reason, on stdout.
    assert needle in p.stderr + p.stdout, f"{args}: expected '{needle}' in: {p.stderr}{p.stdout}"
    log(f"ok   refused ({needle}): {' '.join(args[:3])}")


def ping(net, key, check=True):
    return ctl(net, "tx", "submit", "--chaincode", "system", "--method", "ping", "--args", "{}",
               key=key, check=check)


def proposal(net, pid):
    data, _ = ctl(net, "governance", "show", str(pid))
    return data


def test(net):
    net.up()
    ids = os.path.join(net.dir, "load-ids.txt")
    load = net.load_async(LOAD, 2, ids, extra=("--rate", "15"))

    housing_dir = os.path.join(net.dir, "housing")
    os.makedirs(housing_dir, exist_ok=True)
    housing_key = os.path.join(housing_dir, "admin.key")
    housing_pub = keygen(net, housing_key)
    run([net.ctl, "keygen", "--encryption", "--out", os.path.join(housing_dir, "encryption.key")])
    encryption = os.path.join(housing_dir, "encryption.key.pub")

    data, _ = ctl(net, "governance", "propose", "add-org", "--id", "housing", "--name",
                  "Housing Bureau", "--admin-key", housing_key + ".pub", "--encryption-key",
                  encryption, "--reason", "housing registrations move online")
    p = data["proposal"]
    pid = p["id"]
    assert p["status"] == "open" and len(p["approvals"]) == 1 and p["threshold"] == 3, p
    assert "add member org 'housing'" in p["summary"], p
    log(f"ok   proposal {pid} filed: {p['summary']}")

    refused(net, "runs no validator", "governance", "approve", str(pid), org="health")
    refused(net, "already approved", "governance", "approve", str(pid))
    refused(net, "would leave 3 validators", "governance", "propose", "remove-validator", "tax-0",
            org="tax")
    refused(net, "org 'police' already exists", "governance", "propose", "add-org", "--id",
            "police", "--name", "Police again", "--admin-key", housing_key + ".pub",
            "--encryption-key", encryption)
    refused(net, "is already an admin key of org 'tax'", "governance", "propose", "add-org",
            "--id", "housing2", "--name", "Housing 2", "--admin-key",
            os.path.join(net.dir, "tax", "admin.key.pub"), "--encryption-key", encryption)
    assert len(proposal(net, pid)["approvals"]) == 1
    listed, _ = ctl(net, "governance", "list")
    assert [x["id"] for x in listed] == [pid], listed

    ctl(net, "governance", "approve", str(pid), org="police")
    assert proposal(net, pid)["status"] == "open"
    refused(net, "neither an org admin", "tx", "submit", "--chaincode", "system", "--method",
            "ping", "--args", "{}", key=housing_key)
    data, _ = ctl(net, "governance", "approve", str(pid), org="social")
    assert data["proposal"]["status"] == "applied", data
    log(f"ok   proposal {pid} applied at block {data['proposal']['applied_height']}")
    net.wait_converged()
    for org in ("market", "police", "social", "tax"):
        shown = net.ctl_json("governance", "show", str(pid), org=org)[0]
        assert shown["status"] == "applied", (org, shown)

    clerk_key = os.path.join(housing_dir, "desk.key")
    clerk_pub = keygen(net, clerk_key)
    ctl(net, "clerk", "enrol", "--name", "housing desk", "--roles", "clerk", "--pubkey",
        clerk_pub, key=housing_key)
    ping(net, clerk_key)
    log("ok   the housing admin enrols a clerk, who signs")

    # deploy/local-net add: keys, proposal and approvals for another member org.
    out = net.local_net("add", "archive", "--name", "Archives Bureau", "--apply").stdout
    assert "a member from now on" in out, out
    ping(net, os.path.join(net.dir, "archive", "admin.key"))
    log("ok   deploy/local-net add archive --apply: keys, proposal, approvals; its admin signs")

    # bank's admin key replaced by proposal.
    bank_old = os.path.join(net.dir, "bank", "admin.key")
    bank_new = os.path.join(net.dir, "bank", "admin-2.key")
    keygen(net, bank_new)
    data, _ = ctl(net, "governance", "propose", "replace-admin-key", "--org", "bank", "--old",
                  bank_old + ".pub", "--new", bank_new + ".pub")
    rid = data["proposal"]["id"]
    ctl(net, "governance", "approve", str(rid), org="police")
    ping(net, bank_old)
    ctl(net, "governance", "approve", str(rid), org="tax")
    refused(net, "was replaced through governance", "tx", "submit", "--chaincode", "system",
            "--method", "ping", "--args", "{}", key=bank_old)
    ping(net, bank_new)
    log("ok   bank's admin key replaced: the old one is refused, the new one signs")

    # A market clerk rotates its own key.
    old = os.path.join(net.dir, "market", "desk-old.key")
    new = os.path.join(net.dir, "market", "desk-new.key")
    old_pub = keygen(net, old)
    new_pub = keygen(net, new)
    ctl(net, "clerk", "enrol", "--name", "rotating desk", "--roles", "clerk", "--pubkey", old_pub)
    data, _ = ctl(net, "clerk", "rotate-key", "--new-pubkey", new_pub, key=old)
    assert data["clerk"]["rotated_from"] == old_pub, data
    refused(net, "is suspended", "tx", "submit", "--chaincode", "system", "--method", "ping",
            "--args", "{}", key=old)
    ping(net, new)
    shown, _ = ctl(net, "clerk", "show", old_pub)
    assert shown["status"] == "suspended" and shown["replaced_by"] == new_pub, shown
    log("ok   a clerk's key rotated: the old key is suspended, the new one signs")

    validators, _ = ctl(net, "validator", "list")
    assert validators["epoch"] == 0 and validators["n"] == 4 and validators["quorum"] == 3
    assert [v["name"] for v in validators["validators"]] == [v[1] for v in net.validators()]
    text = run([net.ctl, "--net", net.dir, "governance", "list"]).stdout
    assert "add member org 'housing'" in text and "applied" in text, text
    rules, _ = ctl(net, "governance", "rules")
    orgs = {o["id"]: o for o in rules["organisations"]}
    assert not orgs["housing"]["from_genesis"] and orgs["market"]["from_genesis"], orgs
    assert rules["approval_threshold"] == 3 and len(rules["validator_orgs"]) == 4, rules
    text = run([net.ctl, "--net", net.dir, "governance", "rules"]).stdout
    assert "Housing Bureau" in text and "governance" in text, text

    assert load.wait(timeout=600) == 0, "the background load failed"
    data, p = net.ctl_json("--timeout", "10", "tx", "check", "--ids", ids, check=False, timeout=600)
    assert data is not None and data["ok"], f"load transactions missing: {data} {p.stderr}"
    net.wait_converged()
    net.assert_no_divergence(net.orgs())
    log("ok   the whole load committed; no divergence")


if __name__ == "__main__":
    e2e_lib.main(test, "governance")
