#!/usr/bin/env python3
"""web: the verification page in Debian's headless Chromium, and its verifier against the C++ one.

Writes the differential corpus with the C++ verifier (the hidden `[.corpus]`
case of web_corpus: valid v3, v2 and v1 presentations of an in-process ledger,
every single-byte mutation of each two ways, every reason code of each format,
each with the C++ verdict), then runs `node --test browser.test.js`: the page opened as saved
files with every network request refused, verdicts read from the DOM, a
screenshot per verdict under build/.../tests/web/artefacts, and the page's
verifier over the whole corpus in Chromium (every verdict must equal the C++
one); then scanning, with Chromium's fake camera showing the QR code (made by
the qrencode CLI) of a corpus presentation to the page served on 127.0.0.1.
Needs /usr/bin/chromium, qrencode and tests/web/node_modules
(deploy/install-deps.sh installs them); fails, rather than skips, without them.
"""

import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    bin_dir = os.environ.get("LICENCED_BIN_DIR", os.path.join(HERE, "..", "..", "build", "release"))
    corpus_bin = os.path.join(bin_dir, "tests", "web", "web_corpus")
    node = shutil.which("node")
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    missing = [what for what, ok in (
        (corpus_bin, os.access(corpus_bin, os.X_OK)),
        ("node", node is not None),
        ("qrencode", shutil.which("qrencode") is not None),
        (chromium, os.access(chromium, os.X_OK)),
        ("tests/web/node_modules", os.path.isdir(os.path.join(HERE, "node_modules", "playwright-core"))),
    ) if not ok]
    if missing:
        print(f"FAIL: missing {', '.join(missing)}: build, and run deploy/install-deps.sh", flush=True)
        return 1
    artefacts = os.path.join(bin_dir, "tests", "web", "artefacts")
    shutil.rmtree(artefacts, ignore_errors=True)
    os.makedirs(artefacts)
    with tempfile.TemporaryDirectory(prefix="licenced-web-") as corpus:
        env = dict(os.environ, LICENCED_WEB_CORPUS=corpus, LICENCED_WEB_ARTEFACTS=artefacts,
                   CHROMIUM=chromium)
        p = subprocess.run([corpus_bin, "[.corpus]"], env=env, capture_output=True, text=True,
                           timeout=300)
        if p.returncode != 0:
            print(p.stdout, p.stderr)
            return 1
        p = subprocess.run([node, "--test", "--test-reporter=spec",
                            os.path.join(HERE, "browser.test.js")],
                           cwd=HERE, env=env, capture_output=True, text=True, timeout=600)
        print(p.stdout, end="")
        print(p.stderr, end="", file=sys.stderr)
        print(f"screenshots and differential.json in {artefacts}", flush=True)
        return p.returncode


if __name__ == "__main__":
    sys.exit(main())
