#!/usr/bin/env python3
"""`ssosim sp serve` against an IdP we did not write.

The "IdP" here is python3-saml's signer (libxmlsec1 through the `xmlsec`
wheel, an implementation independent of ours): it reads the SP's
AuthnRequest from the HTTP-Redirect URL, writes a Response for it, signs
the Assertion with fixtures/pki/idp-generic, and POSTs it to the ACS with
the browser's pending cookie, as a browser would. Expected:

  1. the signed response is accepted for alice@acme.test;
  2. the same response again is refused (the pending request is used up);
  3. an edited copy is refused with digest-mismatch;
  4. a response signed by the attacker key is refused.

Usage (python3-saml 1.16.0 installs lxml and xmlsec):

    python3 -m venv /tmp/venv-saml && /tmp/venv-saml/bin/pip install python3-saml==1.16.0
    cargo build && /tmp/venv-saml/bin/python interop/sp_serve/xmlsec_idp.py target/debug/ssosim

The SP runs on the live clock, so the Response carries real instants.
"""

import base64
import datetime
import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request
import zlib

from onelogin.saml2.utils import OneLogin_Saml2_Utils

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PKI = os.path.join(ROOT, "fixtures", "pki")
IDP = "https://idp.test/saml/metadata"


def read(name):
    with open(os.path.join(PKI, name)) as f:
        return f.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def instant(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def response_xml(request_id, acs, audience, name_id):
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    later = now + datetime.timedelta(minutes=5)
    earlier = now - datetime.timedelta(minutes=5)
    rid = "_" + os.urandom(20).hex()
    aid = "_" + os.urandom(20).hex()
    return f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{rid}" Version="2.0" IssueInstant="{instant(now)}" Destination="{acs}" InResponseTo="{request_id}"><saml:Issuer>{IDP}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="{aid}" Version="2.0" IssueInstant="{instant(now)}"><saml:Issuer>{IDP}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{name_id}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="{instant(later)}" Recipient="{acs}" InResponseTo="{request_id}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{instant(earlier)}" NotOnOrAfter="{instant(later)}"><saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="{instant(now)}" SessionIndex="{aid}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement><saml:Attribute Name="groups"><saml:AttributeValue>eng</saml:AttributeValue></saml:Attribute></saml:AttributeStatement></saml:Assertion></samlp:Response>"""


def sign_assertion(xml, key, cert):
    # add_sign signs the root; sign the Assertion by signing it alone and
    # splicing it back, as python3-saml's own IdP-side helpers do.
    start = xml.index("<saml:Assertion")
    end = xml.index("</saml:Assertion>") + len("</saml:Assertion>")
    assertion = xml[start:end].replace(
        "<saml:Assertion ",
        '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ',
        1,
    )
    signed = OneLogin_Saml2_Utils.add_sign(assertion, key, cert)
    if isinstance(signed, bytes):
        signed = signed.decode()
    signed = signed.split("?>", 1)[-1].strip() if signed.startswith("<?xml") else signed
    return xml[:start] + signed + xml[end:]


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "debug", "ssosim")
    metadata = os.path.join(ROOT, "tests", "data", "inspect", "idp-metadata.xml")
    sp = subprocess.Popen(
        [binary, "sp", "serve", "--listen", "127.0.0.1:0", "--idp-metadata", metadata],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    failures = []
    try:
        line = sp.stdout.readline()
        base = line.split()[3]  # "sp listening on http://ADDR (…)"
        acs, audience = base + "/saml/acs", base + "/saml/metadata"

        def login_and_post(make_xml, key, cert, replay_body=None):
            opener = urllib.request.build_opener(NoRedirect)
            try:
                opener.open(base + "/login?relay_state=/home")
                raise SystemExit("GET /login did not redirect")
            except urllib.error.HTTPError as e:
                location = e.headers["Location"]
                # Python's cookie jar never sends a Secure cookie over http,
                # even to 127.0.0.1 (browsers do: loopback is a secure
                # context), so carry the pending cookie by hand.
                pending = e.headers["Set-Cookie"].split(";", 1)[0]
            q = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)
            request = zlib.decompress(base64.b64decode(q["SAMLRequest"][0]), -15).decode()
            request_id = request.split(' ID="', 1)[1].split('"', 1)[0]
            xml = make_xml(sign_assertion(response_xml(request_id, acs, audience, "alice@acme.test"), key, cert))
            body = replay_body or urllib.parse.urlencode(
                {"SAMLResponse": base64.b64encode(xml.encode()).decode(), "RelayState": "/home"}
            )
            req = urllib.request.Request(
                acs,
                data=body.encode(),
                headers={"Accept": "application/json", "Cookie": pending},
                method="POST",
            )
            try:
                with opener.open(req) as r:
                    return r.status, json.loads(r.read()), body
            except urllib.error.HTTPError as e:
                return e.code, json.loads(e.read()), body

        key, cert = read("idp-generic.key.pem"), read("idp-generic.crt.pem")
        status, v, body = login_and_post(lambda x: x, key, cert)
        print("signed by xmlsec:", status, v["outcome"], v["name_id"] or v["reason"])
        if (status, v["outcome"], v["name_id"]) != (200, "accepted", "alice@acme.test"):
            failures.append(f"accept: {status} {v}")
        status, v, _ = login_and_post(lambda x: x, key, cert, replay_body=body)
        print("replayed:", status, v["outcome"], v["reason"])
        if status != 403:
            failures.append(f"replay: {status} {v}")
        status, v, _ = login_and_post(
            lambda x: x.replace(">alice@acme.test<", ">admin@acme.test<", 1), key, cert
        )
        print("edited after signing:", status, v["outcome"], v["reason"])
        if (status, v["reason"]) != (403, "digest-mismatch"):
            failures.append(f"edited: {status} {v}")
        status, v, _ = login_and_post(
            lambda x: x, read("attacker.key.pem"), read("attacker.crt.pem")
        )
        print("signed by the attacker key:", status, v["outcome"], v["reason"])
        if status != 403:
            failures.append(f"attacker: {status} {v}")
    finally:
        sp.kill()
        sp.wait()
    if failures:
        print("FAILED:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("ok: ssosim sp serve accepts an xmlsec-signed response and refuses the rest")


if __name__ == "__main__":
    main()
