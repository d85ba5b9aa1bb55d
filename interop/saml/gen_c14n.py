#!/usr/bin/env python3
"""Regenerates the exclusive-c14n oracle outputs and the xmlsec1-signed fixtures.

For every fixtures/saml/c14n/NAME.xml (with optional NAME.args):
  * NAME.c14n  = lxml exclusive c14n (without comments) of the selected subtree,
                 leaving out its ds:Signature child when `omit: signature`.
  * When the subtree carries a ds:Signature *template* (omit: signature), the
    file is also signed by `xmlsec1 --sign`; xmlsec1's PreDigest buffer (its
    own exc-c14n of the same subtree) must equal lxml's byte for byte, the
    signed document goes to fixtures/saml/dsig/xmlsec1/NAME.xml and xmlsec1's
    PreSigned buffer (its exc-c14n of SignedInfo) to NAME.signedinfo.c14n.

NAME.args lines (all optional):
  apex-id: V         the element whose unqualified ID attribute is V
  apex-first: LOCAL  the first element (document order) with that local name
                     (default: the document element)
  omit: signature    leave out the apex's ds:Signature child (enveloped transform)
  prefixes: P1 P2    InclusiveNamespaces PrefixList (#default allowed)

Usage: interop/saml/gen_c14n.py [--check]
  --check  regenerate into a temporary directory and diff against the
           committed files instead of writing them (exit 1 on difference).
Needs lxml (python3 -m venv /work/.venv-saml && /work/.venv-saml/bin/pip install lxml)
and xmlsec1 (apt-get install -y xmlsec1).
"""

import os
import subprocess
import sys
import tempfile

from lxml import etree

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
C14N_DIR = os.path.join(ROOT, "fixtures", "saml", "c14n")
SIGNED_DIR = os.path.join(ROOT, "fixtures", "saml", "dsig", "xmlsec1")
KEY = os.path.join(ROOT, "fixtures", "pki", "idp-generic.key.pem")
CRT = os.path.join(ROOT, "fixtures", "pki", "idp-generic.crt.pem")
DS = "http://www.w3.org/2000/09/xmldsig#"


def read_args(path):
    args = {}
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                line = line.rstrip("\n")
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                key, _, value = line.partition(":")
                args[key.strip()] = value.strip(" ")
    return args


def parse(path):
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, remove_comments=False,
        remove_blank_text=False, strip_cdata=False, huge_tree=False)
    return etree.parse(path, parser)


def apex_of(tree, args):
    root = tree.getroot()
    if "apex-id" in args:
        found = root.xpath("//*[@ID=$v]", v=args["apex-id"])
        assert len(found) == 1, f"apex-id {args['apex-id']!r} matches {len(found)} elements"
        return found[0]
    if "apex-first" in args:
        found = root.xpath("//*[local-name()=$v]", v=args["apex-first"])
        assert found, f"no element named {args['apex-first']!r}"
        return found[0]
    return root


def signature_child(apex):
    sigs = [c for c in apex if c.tag == "{%s}Signature" % DS]
    assert len(sigs) == 1, f"expected one ds:Signature child, found {len(sigs)}"
    return sigs[0]


def prefixes_of(args):
    # The PrefixList is whitespace-separated (Exc-C14N section 3).
    return args.get("prefixes", "").split() or None


def lxml_c14n(path, args):
    tree = parse(path)
    apex = apex_of(tree, args)
    if args.get("omit") == "signature":
        sig = signature_child(apex)
        # lxml drops an element's tail text with the element: keep it.
        if sig.tail:
            prev = sig.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + sig.tail
            else:
                apex.text = (apex.text or "") + sig.tail
        apex.remove(sig)
    return etree.tostring(apex, method="c14n", exclusive=True, with_comments=False,
                          inclusive_ns_prefixes=prefixes_of(args))


def buffer(output, label):
    start = f"== {label} data - start buffer:\n"
    end = f"\n== {label} data - end buffer"
    found = []
    pos = 0
    while True:
        i = output.find(start, pos)
        if i < 0:
            return found
        j = output.index(end, i)
        found.append(output[i + len(start):j])
        pos = j


def xmlsec1_sign(path, args, out_path):
    tree = parse(path)
    apex = apex_of(tree, args)
    q = etree.QName(apex)
    node = f"{q.namespace}:{q.localname}" if q.namespace else q.localname
    run = subprocess.run(
        ["xmlsec1", "--sign", "--privkey-pem", f"{KEY},{CRT}", "--id-attr:ID", node,
         "--enabled-reference-uris", "same-doc", "--store-references", "--store-signatures",
         "--output", out_path, path],
        capture_output=True)
    output = run.stdout.decode("utf-8") + run.stderr.decode("utf-8")
    if run.returncode != 0:
        sys.exit(f"xmlsec1 --sign failed on {path}:\n{output}")
    pre_digest = buffer(output, "PreDigest")
    pre_signed = buffer(output, "PreSigned")
    assert len(pre_digest) == 1 and len(pre_signed) == 1, f"unexpected xmlsec1 output for {path}"
    return pre_digest[0].encode("utf-8"), pre_signed[0].encode("utf-8")


def generate(c14n_out, signed_out):
    names = sorted(f[:-4] for f in os.listdir(C14N_DIR) if f.endswith(".xml"))
    for name in names:
        src = os.path.join(C14N_DIR, name + ".xml")
        args = read_args(os.path.join(C14N_DIR, name + ".args"))
        expected = lxml_c14n(src, args)
        with open(os.path.join(c14n_out, name + ".c14n"), "wb") as fh:
            fh.write(expected)
        oracles = "lxml"
        if args.get("omit") == "signature":
            signed = os.path.join(signed_out, name + ".xml")
            pre_digest, pre_signed = xmlsec1_sign(src, args, signed)
            if pre_digest != expected:
                sys.exit(f"{name}: xmlsec1 and lxml disagree\nxmlsec1: {pre_digest!r}\nlxml:    {expected!r}")
            with open(os.path.join(signed_out, name + ".signedinfo.c14n"), "wb") as fh:
                fh.write(pre_signed)
            oracles = "lxml = xmlsec1"
        print(f"{name}: {oracles}")


def main():
    check = "--check" in sys.argv[1:]
    if not check:
        os.makedirs(SIGNED_DIR, exist_ok=True)
        generate(C14N_DIR, SIGNED_DIR)
        return
    with tempfile.TemporaryDirectory() as tmp:
        c14n_tmp = os.path.join(tmp, "c14n")
        signed_tmp = os.path.join(tmp, "signed")
        os.makedirs(c14n_tmp)
        os.makedirs(signed_tmp)
        generate(c14n_tmp, signed_tmp)
        bad = 0
        for out_dir, committed in ((c14n_tmp, C14N_DIR), (signed_tmp, SIGNED_DIR)):
            for f in sorted(os.listdir(out_dir)):
                with open(os.path.join(out_dir, f), "rb") as a:
                    new = a.read()
                path = os.path.join(committed, f)
                old = open(path, "rb").read() if os.path.exists(path) else None
                if new != old:
                    print(f"DIFFERS: {os.path.relpath(path, ROOT)}")
                    bad += 1
        if bad:
            sys.exit(f"{bad} oracle file(s) differ from the committed ones; rerun without --check")
        print("all oracle files match the committed ones")


if __name__ == "__main__":
    main()
