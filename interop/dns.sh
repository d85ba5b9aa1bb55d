#!/usr/bin/env bash
# interop/dns.sh — proves the mock DNS against BIND 9 and dig.
#
# 1. Every fixtures/dns/zones/*.zone is compiled by `named-compilezone` (run
#    in the zones directory, so $INCLUDE paths resolve as ssosim resolves
#    them) and the output must equal the committed *.bind file — the same
#    file `cargo test` (bind_corpus_matches_named_compilezone) compares
#    ssosim's rendering with. With --update the *.bind files are rewritten.
# 2. Every fixtures/dns/zones/bad/*.zone must be refused by named-compilezone.
# 3. `ssosim dns serve` is started on a free 127.0.0.1 port with some corpus
#    zones, and dig checks authoritative answers over UDP and TCP, NXDOMAIN
#    and NODATA with the SOA in the authority section, REFUSED outside the
#    zones, and TC over UDP for a large answer that is complete over TCP.
#
# Needs: bind9-utils (named-compilezone) and dnsutils (dig).
# The server command can be overridden with SSOSIM_DNS_SERVE (it gets
# `--listen 127.0.0.1:PORT --zone FILE...` appended).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
zones="$root/fixtures/dns/zones"
update=false
[[ "${1:-}" == "--update" ]] && update=true
failures=0
checks=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { checks=$((checks + 1)); }

for tool in named-compilezone dig; do
  command -v "$tool" >/dev/null || { echo "interop/dns.sh needs $tool (apt-get install bind9-utils dnsutils)"; exit 2; }
done

origin_of() { awk '$1 == "$ORIGIN" { print $2; exit }' "$1"; }

# --- 1. BIND's canonical form of every good zone --------------------------
cd "$zones"
for f in *.zone; do
  origin="$(origin_of "$f")"
  expected="${f%.zone}.bind"
  if ! out="$(named-compilezone -q -o - "$origin" "$f" 2>&1)"; then
    fail "named-compilezone refused good zone $f: $out"
    continue
  fi
  if $update; then
    printf '%s\n' "$out" > "$expected"
    echo "updated $expected"
  elif ! diff -u "$expected" <(printf '%s\n' "$out") > /tmp/dns-interop.diff; then
    fail "$f: named-compilezone output differs from $expected"
    cat /tmp/dns-interop.diff
  else
    pass
  fi
done

# --- 2. BIND refuses every bad zone ---------------------------------------
cd "$zones/bad"
for f in *.zone; do
  origin="$(origin_of "$f")"
  if named-compilezone -q -o /dev/null "$origin" "$f" >/dev/null 2>&1; then
    fail "named-compilezone accepted bad zone bad/$f"
  else
    pass
  fi
done
cd "$root"

# --- 3. ssosim dns serve + dig --------------------------------------------
serve_cmd="${SSOSIM_DNS_SERVE:-cargo run --release -q -- dns serve}"
port=""
server_pid=""
log="$(mktemp)"
cleanup() { [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true; rm -f "$log"; }
trap cleanup EXIT

for attempt in 1 2 3 4 5; do
  port=$(( 20000 + RANDOM % 40000 ))
  # shellcheck disable=SC2086
  $serve_cmd --listen "127.0.0.1:$port" \
    --zone "$zones/verification.zone" --zone "$zones/basic.zone" --zone "$zones/big-txt.zone" \
    > "$log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 600); do   # cargo may build first: wait up to 5 minutes
    grep -q "listening on 127.0.0.1:$port (udp+tcp)" "$log" && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.5
  done
  grep -q "listening on 127.0.0.1:$port (udp+tcp)" "$log" && break
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
done
if [[ -z "$server_pid" ]]; then
  echo "FAIL: ssosim dns serve did not start:"; cat "$log"
  exit 1
fi

q() { dig @127.0.0.1 -p "$port" +norec +time=2 +tries=1 "$@" </dev/null; }

# expect NAME DESCRIPTION PATTERN... : each extended-regex PATTERN must match
expect() {
  local what="$1" out="$2"; shift 2
  for pat in "$@"; do
    if ! grep -Eq -- "$pat" <<<"$out"; then
      fail "$what: no match for /$pat/ in:"; echo "$out"; return
    fi
  done
  pass
}

for transport in "" "+tcp"; do
  t="${transport:-udp}"
  out="$(q $transport TXT _acme-challenge.acme.test)"
  expect "TXT over $t" "$out" 'status: NOERROR' 'flags: qr aa' \
    '_acme-challenge\.acme\.test\.[[:space:]]+300[[:space:]]+IN[[:space:]]+TXT[[:space:]]+"verification_token=" "tok_8GfR2kLm"'
  out="$(q $transport TXT acme.test)"
  expect "apex TXT over $t" "$out" 'ANSWER: 2,' '"MS=ms90210555"' '"google-site-verification=Qx7yZ1wv0pA9"'
  out="$(q $transport TXT nope.acme.test)"
  expect "NXDOMAIN over $t" "$out" 'status: NXDOMAIN' 'flags: qr aa' 'ANSWER: 0, AUTHORITY: 1' \
    'acme\.test\.[[:space:]]+300[[:space:]]+IN[[:space:]]+SOA[[:space:]]+ns1\.acme\.test\. dns-admin\.acme\.test\. 2026010101'
  out="$(q $transport TXT ns1.acme.test)"
  expect "NODATA over $t" "$out" 'status: NOERROR' 'flags: qr aa' 'ANSWER: 0, AUTHORITY: 1' 'IN[[:space:]]+SOA'
  out="$(q $transport TXT sso.acme.test)"
  expect "empty non-terminal over $t" "$out" 'status: NOERROR' 'ANSWER: 0, AUTHORITY: 1'
  out="$(q $transport TXT example.org)"
  expect "REFUSED over $t" "$out" 'status: REFUSED'
  out="$(q $transport A www.example.com)"
  expect "CNAME over $t" "$out" 'status: NOERROR' 'www\.example\.com\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+CNAME[[:space:]]+example\.com\.' \
    'example\.com\.[[:space:]]+3600[[:space:]]+IN[[:space:]]+A[[:space:]]+192\.0\.2\.10'
done

out="$(q +noedns +ignore TXT many.big.test)"
expect "truncation without EDNS" "$out" 'flags: qr aa tc'
out="$(q +bufsize=1232 +ignore TXT many.big.test)"
expect "truncation at the EDNS size" "$out" 'flags: qr aa tc'
out="$(q +tcp TXT many.big.test)"
expect "complete over TCP" "$out" 'ANSWER: 8,' 'flags: qr aa;'
out="$(q +noedns TXT many.big.test)"
expect "dig retries over TCP after TC" "$out" 'ANSWER: 8,' 'retrying in TCP mode'

# Every TXT answer served matches the zone text BIND compiled.
while read -r owner ttl class type rdata; do
  [[ "$type" == TXT ]] || continue
  got="$(q +tcp +short TXT "$owner" | sort)"
  want="$(grep -F "$owner" "$zones/verification.bind" | awk -F'\t' '$0 ~ / IN TXT/ { print $NF }' | sort)"
  if [[ "$got" != "$want" ]]; then
    fail "TXT $owner served as [$got], BIND compiled [$want]"
  else
    pass
  fi
done < <(sed 's/\t\+/ /g' "$zones/verification.bind" | awk '{ print $1, $2, $3, $4, $5 }' | sort -u -k1,1)

echo "interop/dns.sh: $checks passed, $failures failed"
[[ "$failures" -eq 0 ]]
