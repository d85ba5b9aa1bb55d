#!/usr/bin/env python3
"""Differential check of the signature-wrapping corpus (fixtures/saml/attacks).

For every file listed in fixtures/saml/attacks/verdicts.tsv (the XSW and REF
attacks that `cargo test saml_attacks` generates from fresh mock-IdP
responses):

1. an independent XML-DSig verifier, with the IdP certificate pinned
   (fixtures/pki/idp-generic.crt.pem) and KeyInfo ignored, looks at every
   ds:Signature in the file and says whether *some* signature made by the IdP
   still verifies:
     - xmlsec1 --verify --pubkey-cert-pem CERT --enabled-key-data key-name
       --id-attr:ID (Response, Assertion, EntityDescriptor)
       --node-xpath <that signature>
     - else signxml XMLVerifier().verify(x509_cert=CERT,
       expect_config=SignatureConfiguration(location=<that signature's parent>),
       validate_schema=False)  (XML-DSig schema checks off: several wrapping
       shapes put foreign content inside ds:Signature on purpose; what is
       checked is the cryptography: SignedInfo signed by the pinned key, and
       the referenced element's digest)
   Neither oracle is XSW-aware: "valid" proves only that the bytes the IdP
   signed are still in the file, untouched.
2. our SP judges the same file: `ssosim saml inspect FILE --idp-metadata
   idp-metadata.xml --sp-entity-id … --acs … --now … --format json`.

The unmutated control (CONTROL.xml, reason `accepted`) must be accepted by
our SP and verified by the oracle: a sanity row for the SP settings and the
pinned certificate. Every other file passes when our SP refuses it with exactly the reason in verdicts.tsv
AND the oracle verdict is the one listed there: `valid` for the wrapping
shapes (so our refusal comes from SAML-level invariants, not from a broken
signature), `invalid` for REF1/REF2 (a correct verifier refuses those too:
they attack verifiers that read DigestValue from the wrong place), and
`ambiguous` for XSW7/XSW8 (the Reference names an ID two elements carry;
both oracles refuse to pick one, as our SP does with duplicate-id), and
`invalid` for KEY1, the negative control (re-signed by the attacker with
their certificate in KeyInfo: the oracles must not trust it).

Prints one line per file and ends with "N passed, N failed"; exits 1 on any
failure, 2 when a tool is missing.

Usage:
    PYTHON=/work/.venv-interop/bin/python interop/saml/attacks_differential.py [--ssosim PATH]
Needs: pip install signxml lxml (in the $PYTHON venv); apt-get install xmlsec1;
the ssosim binary (default target/debug/ssosim; `cargo build` makes it).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys

# Run under $PYTHON (the venv holding signxml and lxml) when it is set.
_want = os.environ.get("PYTHON")
if _want and not os.environ.get("_ATTACKS_DIFF_REEXEC") \
        and os.path.abspath(shutil.which(_want) or _want) != os.path.abspath(sys.executable):
    os.environ["_ATTACKS_DIFF_REEXEC"] = "1"
    os.execvp(_want, [_want, os.path.abspath(__file__)] + sys.argv[1:])

from lxml import etree  # noqa: E402
from signxml import XMLVerifier  # noqa: E402
from signxml.verifier import SignatureConfiguration  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS = os.path.join(ROOT, "fixtures", "saml", "attacks")
CERT = os.path.join(ROOT, "fixtures", "pki", "idp-generic.crt.pem")
METADATA = os.path.join(CORPUS, "idp-metadata.xml")
SP = "https://sp.acme.test/saml/metadata"
ACS = "https://sp.acme.test/saml/acs"
NOW = "2026-01-01T10:00:00Z"
DS = "http://www.w3.org/2000/09/xmldsig#"
ID_ELEMENTS = [
    "urn:oasis:names:tc:SAML:2.0:protocol:Response",
    "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
    "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor",
]


def signatures(root):
    """Every ds:Signature: (positional XPath for xmlsec1, ElementPath
    location of its parent for signxml, a readable path)."""
    out = []
    for sig in root.iter("{%s}Signature" % DS):
        chain = []
        node = sig
        while node is not None:
            chain.append(node)
            node = node.getparent()
        chain.reverse()
        xpath = "/*[1]"
        readable = etree.QName(chain[0]).localname
        location = "./"
        for parent, child in zip(chain, chain[1:]):
            elements = [c for c in parent if isinstance(c.tag, str)]
            xpath += "/*[%d]" % (elements.index(child) + 1)
            readable += "/" + etree.QName(child).localname
            if child is not sig:
                same = [c for c in elements if c.tag == child.tag]
                location += "%s[%d]/" % (child.tag, same.index(child) + 1)
        out.append((xpath, location, readable))
    return out


def xmlsec1_verifies(path, xpath):
    cmd = ["xmlsec1", "--verify", "--pubkey-cert-pem", CERT, "--enabled-key-data", "key-name"]
    for el in ID_ELEMENTS:
        cmd += ["--id-attr:ID", el]
    cmd += ["--node-xpath", xpath, path]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode == 0 and "OK" in (p.stdout + p.stderr):
        return True, "OK"
    lines = [line for line in (p.stderr or p.stdout).splitlines() if line.strip()]
    why = next((line for line in lines if "duplicate" in line.lower()), lines[-1] if lines else "failed")
    return False, why.strip()[:100]


def signxml_verifies(data, location):
    with open(CERT, "rb") as fh:
        cert = fh.read().decode()
    try:
        result = XMLVerifier().verify(
            data,
            x509_cert=cert,
            validate_schema=False,
            expect_config=SignatureConfiguration(location=location),
        )
    except Exception as e:  # signxml raises several exception types
        return False, "%s: %s" % (type(e).__name__, str(e)[:90])
    signed = result.signed_xml
    what = etree.QName(signed).localname if signed is not None else "?"
    return True, "OK, signed %s %s" % (what, signed.get("ID") if signed is not None else "")


def oracle(path):
    """("valid", how) if some IdP signature in the file verifies, else
    ("invalid", why each attempt failed)."""
    data = open(path, "rb").read()
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    failures = []
    for xpath, location, readable in signatures(root):
        ok, why = xmlsec1_verifies(path, xpath)
        if ok:
            return "valid", "xmlsec1 verifies %s" % readable
        failures.append("xmlsec1 %s: %s" % (readable, why))
        ok, why = signxml_verifies(data, location)
        if ok:
            return "valid", "signxml verifies %s (%s)" % (readable, why)
        failures.append("signxml %s: %s" % (readable, why))
    if failures and all("duplicate" in f.lower() or "ambiguous" in f.lower() for f in failures):
        return "ambiguous", "; ".join(failures)
    return "invalid", "; ".join(failures) or "no ds:Signature"


def ours(ssosim, path):
    cmd = [ssosim, "saml", "inspect", path, "--idp-metadata", METADATA, "--sp-entity-id", SP,
           "--acs", ACS, "--now", NOW, "--format", "json"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    try:
        v = json.loads(p.stdout)
    except ValueError:
        return "error", "exit %d: %s" % (p.returncode, p.stderr.strip()[:200])
    return v.get("verdict"), v.get("reason")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ssosim", default=os.path.join(ROOT, "target", "debug", "ssosim"))
    args = ap.parse_args()
    if not shutil.which("xmlsec1"):
        print("xmlsec1 not found (apt-get install -y xmlsec1)", file=sys.stderr)
        return 2
    if not os.path.exists(args.ssosim):
        print("%s not found (cargo build)" % args.ssosim, file=sys.stderr)
        return 2
    rows = []
    with open(os.path.join(CORPUS, "verdicts.tsv"), encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and not line.startswith("#"):
                rows.append(line.rstrip("\n").split("\t"))
    passed = failed = 0
    for name, reason, want_oracle in rows:
        path = os.path.join(CORPUS, name)
        verdict, got_reason = ours(args.ssosim, path)
        got_oracle, how = oracle(path)
        if reason == "accepted":  # the control row
            ok = verdict == "accepted" and got_oracle == want_oracle
        else:
            ok = verdict == "refused" and got_reason == reason and got_oracle == want_oracle
        passed += ok
        failed += not ok
        print("%s %-14s ours: %s %s (want %s) | oracle: %s (want %s): %s" % (
            "PASS" if ok else "FAIL", name, verdict, got_reason, reason, got_oracle, want_oracle, how))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
