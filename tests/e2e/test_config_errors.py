"""e2e: licenced refuses a bad config, exits non-zero and names the field.

Generates a network, then for each broken variant of market's node.toml
(unknown node_id, malformed listen address, missing genesis file, bad log
level, a non-numeric consensus value, a missing key file, a missing [listen]
table, a file that is not TOML) starts `licenced --config FILE` and checks that
it exits on its own with a non-zero code and that its output names the
offending field. Also checks that deploy/local-net start reports such a failure.
"""

import os
import re
import subprocess
import sys
import tempfile

import e2e_lib
from e2e_lib import GEN_TLS, find_bin, log, run

failures = []


def variant(text, key, new_line):
    """Replaces the line `key = ...` with new_line (or removes it if new_line is None)."""
    pattern = re.compile(r"^%s\s*=.*$" % re.escape(key), re.M)
    assert pattern.search(text), key
    return pattern.sub(new_line if new_line is not None else "", text, count=1)


def main():
    e2e_lib.require_bins("licencectl", "licenced")
    ctl, licenced = find_bin("licencectl"), find_bin("licenced")
    with tempfile.TemporaryDirectory(prefix="licenced-e2e-config-") as tmp:
        d = os.path.join(tmp, "net")
        run([ctl, "network", "generate", "--dir", d])
        run([GEN_TLS, d])
        conf_path = os.path.join(d, "market", "node.toml")
        good = open(conf_path).read()
        cases = [
            ("node_id", variant(good, "node_id", 'node_id = "nobody-0"')),
            ("peer", variant(good, "peer", 'peer = "not-an-address"')),
            ("genesis", variant(good, "genesis", 'genesis = "%s/missing-genesis.json"' % tmp)),
            ("log_level", variant(good, "log_level", 'log_level = "loud"')),
            ("max_batch_txs", variant(good, "max_batch_txs", 'max_batch_txs = "many"')),
            ("validator_key", variant(good, "validator_key", 'validator_key = "%s/none.key"' % tmp)),
            ("listen_typo", good.replace("[listen]", "[listen_typo]")),
            ("TOML", good + "\nthis is not toml = = =\n"),
        ]
        for i, (field, text) in enumerate(cases):
            bad = os.path.join(tmp, f"bad-{i}.toml")  # the file name must not contain the field
            with open(bad, "w") as f:
                f.write(text)
            try:
                p = subprocess.run([licenced, "--config", bad], capture_output=True, text=True, timeout=30)
            except subprocess.TimeoutExpired:
                failures.append(field)
                log(f"FAIL {field}: licenced kept running with a bad config")
                continue
            out = p.stdout + p.stderr
            if p.returncode != 0 and field in out:
                log(f"ok   {field}: exit {p.returncode}: {out.strip().splitlines()[-1][:160]}")
            else:
                failures.append(field)
                log(f"FAIL {field}: exit {p.returncode}, output does not name '{field}':\n{out}")

        # local-net start notices a node that exits at once.
        with open(conf_path, "w") as f:
            f.write(variant(good, "log_level", 'log_level = "loud"'))
        p = run([e2e_lib.LOCAL_NET, "start", "market", "--dir", d], check=False, timeout=60)
        if p.returncode == 2 and "exited at start" in p.stderr and "log_level" in p.stderr:
            log("ok   local-net start reports the failing node and its log")
        else:
            failures.append("local-net start")
            log(f"FAIL local-net start with a bad config: exit {p.returncode}\n{p.stdout}{p.stderr}")
        run([e2e_lib.LOCAL_NET, "down", "--dir", d], check=False)
    if failures:
        log(f"FAIL config-errors: {failures}")
        sys.exit(1)
    log("PASS config-errors")


if __name__ == "__main__":
    main()
