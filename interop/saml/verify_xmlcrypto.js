#!/usr/bin/env node
// Our signatures verify in xml-crypto 6.3.2 (the verifier under node-saml),
// with the IdP certificate pinned and KeyInfo ignored
// (getCertFromKeyInfo: () => null); the signed reference it reports is the
// element we signed; and the attacker's certificate is refused (control).
//
// Usage: NODE_PATH=/work/.node-saml/node_modules node interop/saml/verify_xmlcrypto.js
"use strict";
const fs = require("fs");
const path = require("path");
const { DOMParser } = require("@xmldom/xmldom");
const { SignedXml } = require("xml-crypto");
const xpath = require("xpath");

const root = path.join(__dirname, "..", "..");
const dsig = path.join(root, "fixtures", "saml", "dsig");
const pki = path.join(root, "fixtures", "pki");

function args(name) {
  const out = {};
  for (const line of fs.readFileSync(path.join(dsig, "unsigned", name + ".args"), "utf8").split("\n")) {
    const i = line.indexOf(":");
    if (i > 0) out[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return out;
}

function verify(xml, cert, id) {
  const doc = new DOMParser().parseFromString(xml, "text/xml");
  const sig = xpath.select(`//*[@ID='${id}']/*[local-name()='Signature' and namespace-uri()='http://www.w3.org/2000/09/xmldsig#']`, doc)[0];
  const signed = new SignedXml({ publicCert: cert, getCertFromKeyInfo: () => null });
  signed.loadSignature(sig);
  const ok = signed.checkSignature(xml);
  const refs = signed.getSignedReferences();
  return { ok, refs };
}

// Triaged xml-crypto 6.3.2 defects: xmlsec1 (and signxml) verify these.
const KNOWN = {
  // Its exc-c14n declares xmlns:xml on an xml:-prefixed element (C14N 2.3).
  "c14n-xml-prefixed-element": "declares xmlns:xml",
};

let failures = 0;
for (const f of fs.readdirSync(path.join(dsig, "ours")).filter((f) => f.endsWith(".xml")).sort()) {
  const name = f.slice(0, -4);
  const a = args(name);
  const xml = fs.readFileSync(path.join(dsig, "ours", f), "utf8");
  const cert = fs.readFileSync(path.join(pki, a.key + ".crt.pem"), "utf8");
  try {
    const { ok, refs } = verify(xml, cert, a.id);
    const signedId = refs.length === 1 ? new DOMParser().parseFromString(refs[0], "text/xml").documentElement.getAttribute("ID") : null;
    if (ok && signedId === a.id) console.log(`ok       ${name}: xml-crypto verifies ${a.id} with ${a.key}.crt.pem`);
    else if (name in KNOWN) console.log(`known    ${name}: xml-crypto defect: ${KNOWN[name]}`);
    else { console.log(`FAILED   ${name}: ok=${ok} signed=${signedId}`); failures++; }
  } catch (e) {
    console.log(`FAILED   ${name}: ${e.message}`); failures++;
  }
  const attacker = fs.readFileSync(path.join(pki, "attacker.crt.pem"), "utf8");
  let refused = false;
  try { refused = !verify(xml, attacker, a.id).ok; } catch (e) { refused = true; }
  if (refused) console.log(`ok       ${name}: xml-crypto refuses with attacker.crt.pem (control)`);
  else { console.log(`FAILED   ${name}: xml-crypto verifies with the attacker's cert`); failures++; }
}
process.exit(failures ? 1 : 0);
