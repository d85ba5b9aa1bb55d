#!/usr/bin/env python3
"""Regenerates the exclusive-c14n oracle outputs and the xmlsec1-signed fixtures.

For every fixtures/saml/c14n/NAME.xml (with optional NAME.args):
  * NAME.c14n  = lxml exclusive c14n (without comments) of the selected subtree,
                 leaving out its ds:Signature child when `omit: signature`,
                 checked byte for byte against xmlsec1's exc-c14n of the same
                 subtree (its PreDigest buffer) whenever the subtree can be
                 referenced. The one known disagreement: lxml ignores
                 "#default" in a PrefixList; there xmlsec1's output is kept.
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

Files named random-NNN.xml are themselves generated (seeded, so stable) by
random_documents() below: a differential test over namespace declarations,
redeclarations, xmlns="", prefixed and unprefixed attributes, escapes,
comments and PrefixLists that nobody would think to write by hand.

Usage: interop/saml/gen_c14n.py [--check]
  --check  regenerate into a temporary directory and diff against the
           committed files instead of writing them (exit 1 on difference).
Needs lxml (python3 -m venv /work/.venv-saml && /work/.venv-saml/bin/pip install lxml)
and xmlsec1 (apt-get install -y xmlsec1).
"""

import os
import random
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
         "--enabled-reference-uris", "empty,same-doc", "--store-references", "--store-signatures",
         "--output", out_path, path],
        capture_output=True)
    output = run.stdout.decode("utf-8") + run.stderr.decode("utf-8")
    if run.returncode != 0:
        sys.exit(f"xmlsec1 --sign failed on {path}:\n{output}")
    pre_digest = buffer(output, "PreDigest")
    pre_signed = buffer(output, "PreSigned")
    assert len(pre_digest) == 1 and len(pre_signed) == 1, f"unexpected xmlsec1 output for {path}"
    return pre_digest[0].encode("utf-8"), pre_signed[0].encode("utf-8")


RANDOM_COUNT = 100
URIS = ["urn:a", "urn:b", "urn:c", "http://example.test/ns", "urn:oasis:names:tc:SAML:2.0:assertion"]
PREFIXES = ["a", "b", "p", "saml"]
TEXTS = ["x", " ", "\n  ", "a&amp;b", "&lt;tag&gt;", "q\"uote'", "cr&#xD;lf&#xA;", "tab\t", "\u00e9t\u00e9", "]]", ">"]
VALUES = ["v", "", "a b", "&quot;q&quot;", "&lt;&amp;&gt;", "t&#x9;n&#xA;r&#xD;", "lit\tlf\ncr", "'", "\u00fc"]


def random_documents(rng):
    """Yields (name, xml, args) for RANDOM_COUNT seeded random documents."""
    for n in range(RANDOM_COUNT):
        ids = []

        def element(depth, scope):
            decls = {}
            for _ in range(rng.choice([0, 0, 1, 2, 3])):
                prefix = rng.choice(PREFIXES + [""])
                if prefix == "":
                    decls[prefix] = rng.choice(URIS + [""])
                else:
                    decls[prefix] = rng.choice(URIS)
            inner = dict(scope)
            for k, v in decls.items():
                if v == "":
                    inner.pop(k, None)
                else:
                    inner[k] = v
            bound = [p for p in inner if p]
            prefix = rng.choice(bound + [""] * 2) if bound else ""
            name = (prefix + ":" if prefix else "") + rng.choice(["e", "f", "Assertion"])
            attrs = {}
            seen = set()
            for _ in range(rng.choice([0, 1, 2, 3])):
                ap = rng.choice(bound + ["", "", "xml"]) if bound else rng.choice(["", "xml"])
                local = rng.choice(["x", "y", "lang", "z"])
                uri = inner.get(ap) if ap not in ("", "xml") else ap
                if (uri, local) in seen:
                    continue
                seen.add((uri, local))
                attrs[(ap + ":" if ap else "") + local] = rng.choice(VALUES)
            if rng.random() < 0.6:
                ids.append(f"_e{len(ids)}")
                attrs["ID"] = ids[-1]
            out = "<" + name
            for k, v in decls.items():
                out += f' xmlns{":" + k if k else ""}="{v}"'
            for k, v in attrs.items():
                out += f' {k}="{v}"'
            kids = []
            if depth < 5:
                for _ in range(rng.choice([0, 1, 2, 3])):
                    r = rng.random()
                    if r < 0.5:
                        kids.append(element(depth + 1, inner))
                    elif r < 0.85:
                        kids.append(rng.choice(TEXTS))
                    else:
                        kids.append("<!--" + rng.choice(["c", " comment ", ""]) + "-->")
            if not kids and rng.random() < 0.5:
                return out + "/>"
            return out + ">" + "".join(kids) + "</" + name + ">"

        xml = element(0, {})
        args = ""
        if ids:
            args += f"apex-id: {rng.choice(ids)}\n"
        if rng.random() < 0.3:
            args += "prefixes: " + " ".join(rng.sample(PREFIXES + ["#default"], rng.choice([1, 2]))) + "\n"
        yield f"random-{n:03}", xml, args


def write_random_documents():
    rng = random.Random(20261129)
    for name, xml, args in random_documents(rng):
        with open(os.path.join(C14N_DIR, name + ".xml"), "w", encoding="utf-8", newline="") as fh:
            fh.write(xml)
        path = os.path.join(C14N_DIR, name + ".args")
        if args:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(args)
        elif os.path.exists(path):
            os.remove(path)


def xmlsec1_c14n_via_template(path, args):
    """xmlsec1's exc-c14n of the apex: sign a copy with a Signature template
    inserted as the apex's first child (the enveloped transform removes it
    again) and read the PreDigest buffer. None when the apex cannot be
    referenced (no ID and not the document element)."""
    tree = parse(path)
    apex = apex_of(tree, args)
    if "apex-id" in args:
        uri = "#" + args["apex-id"]
    elif apex is tree.getroot() and apex.get("ID") is None:
        uri = ""
    else:
        return None
    E = "{%s}" % DS
    sig = etree.Element(E + "Signature", nsmap={"ds": DS})
    si = etree.SubElement(sig, E + "SignedInfo")
    etree.SubElement(si, E + "CanonicalizationMethod", Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
    etree.SubElement(si, E + "SignatureMethod", Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
    ref = etree.SubElement(si, E + "Reference", URI=uri)
    tr = etree.SubElement(ref, E + "Transforms")
    etree.SubElement(tr, E + "Transform", Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature")
    exc = etree.SubElement(tr, E + "Transform", Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#")
    if prefixes_of(args):
        EC = "http://www.w3.org/2001/10/xml-exc-c14n#"
        inc = etree.SubElement(exc, "{%s}InclusiveNamespaces" % EC, nsmap={"ec": EC})
        inc.set("PrefixList", " ".join(prefixes_of(args)))
    etree.SubElement(ref, E + "DigestMethod", Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
    etree.SubElement(ref, E + "DigestValue")
    etree.SubElement(sig, E + "SignatureValue")
    # Inserted before the first child: the apex's leading text stays
    # before it, so removing it gives back the same node-set.
    apex.insert(0, sig)
    with tempfile.TemporaryDirectory() as tmp:
        template = os.path.join(tmp, "template.xml")
        tree.write(template, encoding="UTF-8", xml_declaration=False)
        pre_digest, _ = xmlsec1_sign(template, args, os.path.join(tmp, "signed.xml"))
    return pre_digest


def generate(c14n_out, signed_out):
    names = sorted(f[:-4] for f in os.listdir(C14N_DIR) if f.endswith(".xml"))
    for name in names:
        src = os.path.join(C14N_DIR, name + ".xml")
        args = read_args(os.path.join(C14N_DIR, name + ".args"))
        expected = lxml_c14n(src, args)
        if args.get("omit") == "signature":
            signed = os.path.join(signed_out, name + ".xml")
            by_xmlsec1, pre_signed = xmlsec1_sign(src, args, signed)
            with open(os.path.join(signed_out, name + ".signedinfo.c14n"), "wb") as fh:
                fh.write(pre_signed)
        else:
            by_xmlsec1 = xmlsec1_c14n_via_template(src, args)
        if by_xmlsec1 is None:
            oracles = "lxml"
        elif by_xmlsec1 == expected:
            oracles = "lxml = xmlsec1"
        elif "#default" in (prefixes_of(args) or []):
            # lxml drops PrefixList entries that are not names in the
            # document's dictionary (xmlDictExists in its
            # _convert_ns_prefixes), so it silently ignores "#default".
            # libxml2 itself, as driven by xmlsec1, honours it as
            # Exc-C14N section 3 says: xmlsec1 is the oracle here.
            expected = by_xmlsec1
            oracles = "xmlsec1 (lxml ignores #default)"
        else:
            sys.exit(f"{name}: xmlsec1 and lxml disagree\nxmlsec1: {by_xmlsec1!r}\nlxml:    {expected!r}")
        with open(os.path.join(c14n_out, name + ".c14n"), "wb") as fh:
            fh.write(expected)
        print(f"{name}: {oracles}")


def main():
    check = "--check" in sys.argv[1:]
    if not check:
        write_random_documents()
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
