#!/usr/bin/env bash
# Our signatures verify in xmlsec1 (an independent XML-DSig implementation).
#
# fixtures/saml/dsig/ours/NAME.xml is what ssosim signs from
# fixtures/saml/dsig/unsigned/NAME.xml (`cargo test` asserts the bytes are
# still what the code produces). Here xmlsec1 must verify each one with the
# IdP's certificate pinned, with KeyInfo certificates disabled
# (--enabled-key-data key-name) so it cannot take the key from the message;
# and, as a negative control, must refuse each one with the attacker's
# certificate pinned.
#
# Usage: interop/saml/check_dsig.sh     (needs: apt-get install -y xmlsec1)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/fixtures/saml/dsig
pki=$root/fixtures/pki
fail=0
log=$(mktemp)
for xml in "$dir"/ours/*.xml; do
  name=$(basename "$xml" .xml)
  args=$dir/unsigned/$name.args
  key=$(sed -n 's/^key: *//p' "$args")
  id=$(sed -n 's/^id: *//p' "$args")
  # The --id-attr node: {namespace}:{local name} of the element with that ID.
  node=$(python3 - "$xml" "$id" <<'PY'
import sys, xml.dom.minidom as m
doc = m.parse(sys.argv[1])
for el in doc.getElementsByTagName("*"):
    if el.getAttribute("ID") == sys.argv[2]:
        print(f"{el.namespaceURI}:{el.localName}" if el.namespaceURI else el.localName)
        break
PY
)
  common=(--verify --enabled-key-data key-name --enabled-reference-uris same-doc --id-attr:ID "$node")
  if xmlsec1 "${common[@]}" --pubkey-cert-pem "$pki/$key.crt.pem" "$xml" >"$log" 2>&1; then
    echo "ok       $name: xmlsec1 verifies with $key.crt.pem pinned"
  else
    echo "FAILED   $name: xmlsec1 refuses with $key.crt.pem pinned"; cat /tmp/xmlsec1.$$; fail=1
  fi
  if xmlsec1 "${common[@]}" --pubkey-cert-pem "$pki/attacker.crt.pem" "$xml" >"$log" 2>&1; then
    echo "FAILED   $name: xmlsec1 verifies with the attacker's cert pinned (it read KeyInfo?)"; fail=1
  else
    echo "ok       $name: xmlsec1 refuses with attacker.crt.pem pinned (control)"
  fi
done
rm -f /tmp/xmlsec1.$$
exit $fail
