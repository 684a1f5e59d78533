#!/usr/bin/env python3
"""e2e: the clerks' licencectl commands on a 4-node network, success and failure paths.

clerk enrol/list/show/suspend/restore/remove, case open/show/list, inbox, task
show/claim/complete/reject, licence show/list/suspend/restore/revoke/renew:
both flows, each department acting through its own org's node, with the exit
codes (0 ok, 1 rejected, 2 usage) and the error messages they promise.
Private values are validated by the client (bad ones exit 2, nothing is
submitted), and at the end every committed block is scanned: no applicant's
name, ID number or birth date appears in clear anywhere on the ledger.
"""

import json
import os
import shutil
import stat
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_lib  # noqa: E402
from e2e_lib import REPO, log, run  # noqa: E402


class Clerks:
    def __init__(self, net):
        self.net = net
        self.keys = os.path.join(net.dir, "clerk-keys")
        os.makedirs(self.keys, exist_ok=True)

    def key(self, name):
        path = os.path.join(self.keys, name + ".key")
        if not os.path.exists(path):
            run([self.net.ctl, "keygen", "--out", path])
        return path

    def ctl(self, *args, org=None, key=None, json_out=True, expect=0):
        cmd = [self.net.ctl, "--net", self.net.dir]
        if json_out:
            cmd.append("--json")
        if org:
            cmd += ["--org", org]
        if key:
            cmd += ["--key", self.key(key)]
        p = run(cmd + list(args), check=False, timeout=120)
        if p.returncode != expect:
            raise AssertionError(
                f"{' '.join(args)}: exit {p.returncode}, expected {expect}\n"
                f"stdout: {p.stdout}\nstderr: {p.stderr}")
        if expect == 0 and json_out:
            return json.loads(p.stdout) if p.stdout.strip() else None
        return p


def expect_error(c, args, code, *needles, org=None, key=None):
    p = c.ctl(*args, org=org, key=key, json_out=False, expect=code)
    for n in needles:
        assert n in p.stderr, f"{' '.join(args)}: {n!r} not in stderr: {p.stderr}"
    assert p.stderr.startswith("licencectl: error: "), p.stderr
    return p


def enrol_all(c):
    plan = [("market", "market-window", "window"), ("market", "market-clerk", "clerk,licensing"),
            ("police", "police-clerk", "clerk"), ("police", "engraver", "engraver"),
            ("social", "social-clerk", "clerk"), ("tax", "tax-clerk", "clerk"),
            ("bank", "bank-clerk", "clerk"), ("health", "health-window", "window"),
            ("health", "health-clerk", "clerk")]
    for org, name, roles in plan:
        out = c.ctl("clerk", "enrol", "--name", name, "--roles", roles,
                    "--pubkey", c.key(name) + ".pub", org=org)
        assert out["clerk"]["org"] == org and out["clerk"]["status"] == "active", out
    log("enrolled 9 clerks")
    # Failure paths.
    expect_error(c, ["clerk", "enrol", "--name", "again", "--roles", "clerk",
                     "--pubkey", c.key("police-clerk") + ".pub"], 1, "ALREADY_EXISTS", org="police")
    expect_error(c, ["clerk", "enrol", "--name", "x", "--roles", "engraver",
                     "--pubkey", c.key("x") + ".pub"], 1, "PERMISSION_DENIED", org="market")
    expect_error(c, ["clerk", "enrol", "--name", "x", "--roles", "clerk",
                     "--pubkey", c.key("y") + ".pub"], 1, "PERMISSION_DENIED",
                 org="market", key="market-window")
    expect_error(c, ["clerk", "enrol", "--name", "x", "--roles", "clerk", "--pubkey", "nothex"],
                 2, "neither 64 hex characters", org="market")
    listed = c.ctl("clerk", "list", org="police")
    assert sorted(x["name"] for x in listed) == ["engraver", "police-clerk"], listed
    assert len(c.ctl("clerk", "list", "--all")) == 9
    # suspend / restore / remove
    c.ctl("clerk", "enrol", "--name", "temp", "--roles", "clerk", "--pubkey", c.key("temp") + ".pub",
          org="tax")
    out = c.ctl("clerk", "suspend", c.key("temp") + ".pub", "--reason", "on leave", org="tax")
    assert out["clerk"]["status"] == "suspended"
    expect_error(c, ["clerk", "suspend", c.key("temp") + ".pub", "--reason", "again"], 1,
                 "FAILED_PRECONDITION", org="tax")
    assert c.ctl("clerk", "restore", c.key("temp") + ".pub", org="tax")["clerk"]["status"] == "active"
    assert c.ctl("clerk", "remove", c.key("temp") + ".pub", "--reason", "left",
                 org="tax")["clerk"]["status"] == "removed"
    assert c.ctl("clerk", "show", c.key("temp") + ".pub", org="tax")["status"] == "removed"
    expect_error(c, ["clerk", "remove", c.key("temp") + ".pub", "--reason", "x"], 1,
                 "PERMISSION_DENIED", org="social")


def complete(c, org, key, task, file=None):
    args = ["task", "complete", task] + (["--file", file] if file else [])
    return c.ctl(*args, org=org, key=key)


def enterprise(c):
    work = os.path.join(c.net.dir, "work")
    os.makedirs(work, exist_ok=True)
    app = os.path.join(work, "enterprise-application.json")
    shutil.copy(os.path.join(REPO, "examples", "enterprise-application.json"), app)
    holder = c.key("holder") + ".pub"
    # Wrong org's window, then the market window.
    expect_error(c, ["case", "open", "enterprise", "--file", app, "--holder-key", holder], 1,
                 "PERMISSION_DENIED", "police", org="police", key="police-clerk")
    # Refused for certain: the salts written before submitting belong to no case and are removed.
    assert not os.path.exists(os.path.join(work, "enterprise-application.secrets.json"))
    expect_error(c, ["case", "open", "newborn", "--file", app], 2, "not 'newborn'",
                 org="market", key="market-window")
    # Bad identifiers are refused by the window client before signing (exit 2).
    bad = os.path.join(work, "bad-id.json")
    a = json.load(open(app))
    a["private"]["legal_rep_id"] = "370102198506120034"
    json.dump(a, open(bad, "w"))
    expect_error(c, ["case", "open", "enterprise", "--file", bad, "--holder-key", holder], 2,
                 "private.legal_rep_id", "wrong check character", "nothing was submitted",
                 org="market", key="market-window")
    a["private"]["legal_rep_id"] = "370102198502300033"
    json.dump(a, open(bad, "w"))
    expect_error(c, ["case", "open", "enterprise", "--file", bad, "--holder-key", holder], 2,
                 "private.legal_rep_id", org="market", key="market-window")
    opened = c.ctl("case", "open", "enterprise", "--file", app, "--holder-key", holder,
                   org="market", key="market-window")
    case = opened["case_id"]
    assert case.startswith("ENT-"), opened
    secrets_path = os.path.join(work, "enterprise-application.secrets.json")
    assert opened["secrets_file"] == secrets_path
    assert stat.S_IMODE(os.stat(secrets_path).st_mode) == 0o600
    secrets = json.load(open(secrets_path))
    assert secrets["case_id"] == case
    assert secrets["secrets"]["enterprise_name"]["value"] == "Jinan Quanyong Software Co., Ltd."
    assert len(secrets["secrets"]["legal_rep_id"]["salt"]) == 32
    log(f"opened {case}; salts in {secrets_path}")
    # Opening it again must not overwrite the salts of the case on the ledger...
    before = open(secrets_path).read()
    expect_error(c, ["case", "open", "enterprise", "--file", app, "--holder-key", holder], 2,
                 "already exists", case, "--secrets-out", org="market", key="market-window")
    assert open(secrets_path).read() == before
    # ... and with a new secrets file the chaincode refuses the duplicate application.
    expect_error(c, ["case", "open", "enterprise", "--file", app, "--holder-key", holder,
                     "--secrets-out", os.path.join(work, "again.secrets.json")], 1,
                 "ALREADY_EXISTS", org="market", key="market-window")
    assert open(secrets_path).read() == before

    # Step out of order; wrong org.
    expect_error(c, ["task", "claim", f"{case}/seal_filing"], 1, "FAILED_PRECONDITION",
                 "business_licence", org="police", key="police-clerk")
    expect_error(c, ["task", "claim", f"{case}/business_licence"], 1, "PERMISSION_DENIED",
                 org="police", key="police-clerk")
    inbox = c.ctl("inbox", org="market")
    assert [t["task_id"] for t in inbox] == [f"{case}/business_licence"], inbox
    assert c.ctl("inbox", org="police") == []

    c.ctl("task", "claim", f"{case}/business_licence", org="market", key="market-clerk")
    out = complete(c, "market", "market-clerk", f"{case}/business_licence")
    bl = out["result"]["outputs"]["licence"]
    credit = out["result"]["outputs"]["credit_code"]
    assert len(credit) == 18, out
    log(f"business licence {bl}, credit code {credit}")

    # The police clerk sees the data sealed to police, ID numbers masked.
    shown = c.ctl("task", "show", f"{case}/seal_filing", org="police")
    data = shown["sealed_data"]["open"]
    assert data["enterprise_name"]["value"] == "Jinan Quanyong Software Co., Ltd.", shown
    assert data["legal_rep_id"]["value"] == "3701**********0033", data
    assert "finance_officer_id" not in data  # minimal data set
    full = c.ctl("--show-ids", "task", "show", f"{case}/seal_filing", org="police")
    assert full["sealed_data"]["open"]["legal_rep_id"]["value"] == "370102198506120033"
    text = c.ctl("task", "show", f"{case}/seal_filing", org="police", json_out=False).stdout
    assert "Jinan Quanyong Software" in text and "3701**********0033" in text, text

    complete(c, "police", "police-clerk", f"{case}/seal_filing")
    expect_error(c, ["task", "complete", f"{case}/seal_engraving"], 1, "PERMISSION_DENIED",
                 org="police", key="police-clerk")
    complete(c, "police", "engraver", f"{case}/seal_engraving")
    complete(c, "social", "social-clerk", f"{case}/social_security")
    expect_error(c, ["task", "complete", f"{case}/taxpayer", "--file", "/nonexistent.json"], 2,
                 "cannot read", org="tax", key="tax-clerk")
    complete(c, "tax", "tax-clerk", f"{case}/taxpayer",
             os.path.join(REPO, "examples", "enterprise-taxpayer.json"))
    expect_error(c, ["task", "complete", f"{case}/bank_account", "--file",
                     os.path.join(REPO, "examples", "enterprise-taxpayer.json")], 1,
                 "INVALID_ARGUMENT", "account_number", org="bank", key="bank-clerk")
    out = complete(c, "bank", "bank-clerk", f"{case}/bank_account",
                   os.path.join(REPO, "examples", "enterprise-bank_account.json"))
    assert out["case_status"] == "completed", out
    shown = c.ctl("case", "show", case, "--audit", org="social")
    assert shown["status"] == "completed" and not shown["overdue"]
    actions = [a["action"] for a in shown["audit"]]
    assert actions[0] == "open_case" and actions[-1] == "case_completed", actions
    text = c.ctl("case", "show", case, org="tax", json_out=False).stdout
    assert "completed" in text and "bank_account" in text, text
    assert c.ctl("case", "list", "--overdue", org="market") == []
    log(f"{case} completed")

    # Licences.
    lic = c.ctl("licence", "show", bl, org="police")
    assert lic["status"] == "valid" and lic["record"]["holder_code"] == credit
    assert [x["record"]["identifier"] for x in c.ctl("licence", "list", "--holder", holder)] == [bl]
    proofs(c, bl, secrets_path)
    expect_error(c, ["licence", "suspend", bl, "--reason", "x"], 1, "PERMISSION_DENIED",
                 org="police", key="police-clerk")
    expect_error(c, ["licence", "suspend", bl, "--reason", "x"], 1, "PERMISSION_DENIED",
                 org="market", key="market-window")
    assert c.ctl("licence", "suspend", bl, "--reason", "inspection", org="market",
                 key="market-clerk")["result"]["status"] == "suspended"
    assert c.ctl("licence", "show", bl)["status"] == "suspended"
    assert c.ctl("licence", "restore", bl, org="market", key="market-clerk")["result"]["status"] == "valid"
    renewed = c.ctl("licence", "renew", bl, org="market", key="market-clerk")["result"]["identifier"]
    assert renewed != bl and c.ctl("licence", "show", bl)["status"] == "cancelled"
    c.ctl("licence", "revoke", renewed, "--reason", "fraud", org="market", key="market-clerk")
    expect_error(c, ["licence", "revoke", renewed, "--reason", "again"], 1, "FAILED_PRECONDITION",
                 "revoked", org="market", key="market-clerk")
    expect_error(c, ["licence", "show", "BL-NOPE"], 1, "", org="market")
    text = c.ctl("licence", "show", renewed, json_out=False).stdout
    assert "revoked (fraud)" in text, text

    # A second case, rejected by the market clerk.
    app2 = os.path.join(work, "second.json")
    a = json.load(open(app))
    a["private"]["enterprise_name"] = "Jinan Second Trading Co., Ltd."
    json.dump(a, open(app2, "w"))
    case2 = c.ctl("case", "open", "enterprise", "--file", app2, "--holder-key", holder,
                  org="market", key="market-window")["case_id"]
    assert os.path.exists(os.path.join(work, "second.secrets.json"))
    c.ctl("task", "reject", f"{case2}/business_licence", "--reason", "name not allowed",
          org="market", key="market-clerk")
    shown = c.ctl("case", "show", case2)
    assert shown["status"] == "rejected" and shown["rejection"]["reason"] == "name not allowed"
    text = c.ctl("case", "show", case2, json_out=False).stdout
    assert "REJECTED" in text and "name not allowed" in text, text
    expect_error(c, ["task", "claim", f"{case2}/business_licence"], 1, "FAILED_PRECONDITION",
                 "rejected", org="market", key="market-clerk")
    assert {x["id"] for x in c.ctl("case", "list")} == {case, case2}


def proofs(c, bl, secrets_path):
    """proof export / present / verify, in the documented spelling (`proof present`,
    `proof verify`) and in the top-level aliases (`present`, `verify`)."""
    work = os.path.join(c.net.dir, "work")
    bundle = os.path.join(work, "bl-proof.json")
    c.ctl("proof", "export", bl, "--out", bundle, org="market")
    genesis = os.path.join(c.net.dir, "genesis.json")
    for words in (["proof", "present"], ["present"]):
        out = os.path.join(work, f"presentation-{len(words)}.json")
        c.ctl(*words, "--proof", bundle, "--challenge", "bank-" + str(len(words)),
              "--disclose", "enterprise_name", "--secrets", secrets_path, "--out", out,
              key="holder", json_out=False)
        for verify in (["proof", "verify"], ["verify"]):
            p = run([c.net.ctl, "--json", *verify, out, "--genesis", genesis,
                     "--challenge", "bank-" + str(len(words))], check=False)
            assert p.returncode == 0, f"{verify}: {p.stdout} {p.stderr}"
            v = json.loads(p.stdout)
            assert v["result"] == "VALID" and v["licence_id"] == bl, v
            assert v["disclosed"]["enterprise_name"] == "Jinan Quanyong Software Co., Ltd.", v
        p = run([c.net.ctl, "--json", "proof", "verify", out, "--genesis", genesis,
                 "--challenge", "someone-else"], check=False)
        assert p.returncode == 1 and json.loads(p.stdout)["result"] == "INVALID", p.stdout
    helptext = run([c.net.ctl, "proof", "--help"]).stdout
    assert "present" in helptext and "verify" in helptext, helptext
    log(f"proof of {bl}: exported, presented and verified with both spellings")


def newborn(c):
    work = os.path.join(c.net.dir, "work")
    app = os.path.join(work, "newborn-application.json")
    shutil.copy(os.path.join(REPO, "examples", "newborn-application.json"), app)
    holder = c.key("guardian") + ".pub"
    bad = os.path.join(work, "bad-newborn.json")
    a = json.load(open(app))
    a["private"]["birth_time"] = "2099-01-01T08:30"
    json.dump(a, open(bad, "w"))
    expect_error(c, ["case", "open", "newborn", "--file", bad, "--holder-key", holder], 2,
                 "private.birth_time", "in the future", org="health", key="health-window")
    a = json.load(open(app))
    a["private"]["mother_id"] = "370102199203150021"
    json.dump(a, open(bad, "w"))
    expect_error(c, ["case", "open", "newborn", "--file", bad, "--holder-key", holder], 2,
                 "private.mother_id", "wrong check character", org="health", key="health-window")
    case = c.ctl("case", "open", "newborn", "--file", app, "--holder-key", holder,
                 org="health", key="health-window")["case_id"]
    ex = lambda n: os.path.join(REPO, "examples", f"newborn-{n}.json")  # noqa: E731
    complete(c, "health", "health-clerk", f"{case}/birth_certificate", ex("birth_certificate"))
    complete(c, "health", "health-clerk", f"{case}/vaccination", ex("vaccination"))
    c.ctl("clerk", "enrol", "--name", "police-hukou", "--roles", "clerk",
          "--pubkey", c.key("police-hukou") + ".pub", org="police")
    os.chdir(work)
    # The assigning police client validates the number it would assign (exit 2).
    bad_rid = os.path.join(work, "bad-rid.json")
    for rid, needle in (("370102202611240027", "wrong check character"),
                        ("37010220261124001X", "sex")):
        json.dump({"outputs": {"resident_id": rid}}, open(bad_rid, "w"))
        expect_error(c, ["task", "complete", f"{case}/household_registration", "--file", bad_rid],
                     2, "outputs.resident_id", needle, org="police", key="police-hukou")
    out = complete(c, "police", "police-hukou", f"{case}/household_registration",
                   ex("household_registration"))
    rid_file = os.path.join(work, f"{case}.resident_id.secrets.json")
    rid = json.load(open(rid_file))["secrets"]["resident_id"]["value"]
    assert rid == "370102202611240028", rid
    assert ".HRE." in out["result"]["outputs"]["licence"], out
    shown = c.ctl("task", "show", f"{case}/medical_insurance", org="social")
    assert shown["sealed_data"]["household_registration"]["resident_id"]["value"] == "3701**********0028"
    complete(c, "social", "social-clerk", f"{case}/medical_insurance")
    out = complete(c, "social", "social-clerk", f"{case}/social_security_card")
    assert out["case_status"] == "completed", out
    log(f"{case} completed")
    return rid


def private_values(rid):
    """Every personal value of both applications, and the assigned ID number."""
    values = [rid]
    for name in ("enterprise-application.json", "newborn-application.json"):
        app = json.load(open(os.path.join(REPO, "examples", name)))
        for field, v in app["private"].items():
            # Short codes also occur in public data (region code, "F", grams).
            if field not in ("sex", "weight_g", "household_address_code"):
                values.append(v)
    values.append("2026-11-24")  # the child's birth date alone
    values.append("Jinan Second Trading Co., Ltd.")
    return values


def scan_ledger(c, rid):
    """No personal value in clear in any committed block or transaction."""
    head = c.ctl("block", "show", "0")["height"]
    needles = private_values(rid)
    assert len(needles) >= 15, needles
    blobs, txs = [], 0
    for h in range(1, head + 1):
        b = c.ctl("block", "show", str(h), "--raw", org="market")
        raw = bytes.fromhex(b["block_hex"])
        assert raw, b
        blobs.append(raw)
        for tx_id in b["tx_ids"]:
            # A rejected tx (exit 1) is in the block too: scan it as well.
            p = run([c.net.ctl, "--net", c.net.dir, "--json", "--org", "police", "tx", "show",
                     tx_id], check=False, timeout=60)
            assert p.returncode in (0, 1) and json.loads(p.stdout)["tx_id"] == tx_id, p.stderr
            blobs.append(p.stdout.encode())
            txs += 1
    # The scan sees what is public (it can fail): the first case's credit code.
    assert any(b"Software development" in x for x in blobs)
    found = sorted({n for n in needles for x in blobs if n.encode() in x})
    assert not found, f"personal values in clear on the ledger: {found}"
    log(f"scanned {head} blocks, {txs} transactions: none of {len(needles)} personal values "
        "in clear")


def usage_errors(c):
    p = run([c.net.ctl, "case", "show", "X"], check=False)
    assert p.returncode == 2 and "--net" in p.stderr, p.stderr
    p = run([c.net.ctl, "case", "open", "enterprise"], check=False)
    assert p.returncode == 2 and "--file" in p.stderr, p.stderr
    expect_error(c, ["case", "show", "ENT-2026-999999"], 1, "NOT_FOUND", org="market")
    expect_error(c, ["task", "claim", "nonsense"], 2, "CASE/STEP", org="market", key="market-clerk")
    for cmd in (["clerk", "--help"], ["case", "open", "--help"], ["inbox", "--help"],
                ["task", "complete", "--help"], ["licence", "revoke", "--help"]):
        p = run([c.net.ctl, *cmd])
        assert "Usage" in p.stdout or "usage" in p.stdout.lower(), p.stdout


def test(net):
    net.up()
    c = Clerks(net)
    enrol_all(c)
    usage_errors(c)
    enterprise(c)
    rid = newborn(c)
    scan_ledger(c, rid)


if __name__ == "__main__":
    e2e_lib.main(test, "cli_flows")
