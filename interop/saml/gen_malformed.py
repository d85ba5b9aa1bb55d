#!/usr/bin/env python3
"""Differential well-formedness corpus: our parser is never more lenient
than libxml2.

Takes the well-formed documents of fixtures/saml/xml/ok/ and
fixtures/saml/c14n/ (hand-written ones), applies seeded random byte-level
mutations (insert, delete or replace one of  < > / = " ' & ; : ! ? - [ ]
space, or a letter), and keeps the mutants that lxml (libxml2, recover off)
refuses. They are written to fixtures/saml/xml/malformed/NNN.xml; the Rust
test saml_xml_profile asserts our strict parser refuses every one (with any
reason). Mutants that lxml accepts are not kept: refusing more than libxml2
(DOCTYPE, PI, CDATA...) is the strict profile's business, tested elsewhere.

Usage: interop/saml/gen_malformed.py [--check]   (needs lxml)
"""

import os
import random
import sys
import tempfile

from lxml import etree

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "fixtures", "saml", "xml", "malformed")
COUNT = 600
ALPHABET = list(b"<>/=\"'&;:!?-[] #%\t") + [ord("a"), ord("x"), 0xC3]


def seeds():
    out = []
    for d in (os.path.join(ROOT, "fixtures", "saml", "xml", "ok"), os.path.join(ROOT, "fixtures", "saml", "c14n")):
        for f in sorted(os.listdir(d)):
            if f.endswith(".xml") and not f.startswith("random-"):
                data = open(os.path.join(d, f), "rb").read()
                if len(data) < 4000:
                    out.append(data)
    return out


def lxml_refuses(data):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    try:
        etree.fromstring(data, parser)
        return False
    except etree.XMLSyntaxError:
        return True


def mutants():
    rng = random.Random(20261129)
    base = seeds()
    seen = set()
    while len(seen) < COUNT:
        data = bytearray(rng.choice(base))
        for _ in range(rng.choice([1, 1, 2])):
            i = rng.randrange(len(data) + 1)
            op = rng.choice(["insert", "delete", "replace"])
            if op == "insert":
                data.insert(i, rng.choice(ALPHABET))
            elif i < len(data):
                if op == "delete":
                    del data[i]
                else:
                    data[i] = rng.choice(ALPHABET)
        data = bytes(data)
        if data in seen or not lxml_refuses(data):
            continue
        seen.add(data)
        yield data


def write(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for n, data in enumerate(mutants()):
        with open(os.path.join(out_dir, f"{n:03}.xml"), "wb") as fh:
            fh.write(data)


def main():
    if "--check" not in sys.argv[1:]:
        write(OUT)
        return
    with tempfile.TemporaryDirectory() as tmp:
        write(tmp)
        bad = [f for f in sorted(os.listdir(tmp))
               if open(os.path.join(tmp, f), "rb").read() != open(os.path.join(OUT, f), "rb").read()]
        if bad or len(os.listdir(tmp)) != len(os.listdir(OUT)):
            sys.exit(f"malformed corpus differs ({len(bad)} files); rerun without --check")
        print("malformed corpus matches")


if __name__ == "__main__":
    main()
