#!/usr/bin/env bash
# Regenerates every SAML oracle output into a temporary directory and diffs
# it against the committed fixtures, then checks that xmlsec1 verifies our
# committed signatures. Exits non-zero on any difference. CI calls this.
#
#   * exc-c14n: lxml (and xmlsec1's pre-digest buffers where a signature
#     template exists) over fixtures/saml/c14n/*.xml  -> *.c14n
#   * xmlsec1-signed documents fixtures/saml/dsig/xmlsec1/*.xml
#   * libxml2-refused mutants fixtures/saml/xml/malformed/*.xml
#   * xmlsec1 --verify, signxml and (if installed) xml-crypto verify
#     fixtures/saml/dsig/ours/*.xml; xml-crypto's c14n over the corpus
#
# Needs lxml, signxml and xmlsec1:
#   python3 -m venv /work/.venv-saml && /work/.venv-saml/bin/pip install lxml signxml
#   apt-get install -y xmlsec1
# PYTHON selects the interpreter (default: /work/.venv-saml/bin/python if
# present, else python3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-}
if [ -z "$python" ]; then
  if [ -x /work/.venv-saml/bin/python ]; then python=/work/.venv-saml/bin/python; else python=python3; fi
fi
"$python" "$here/gen_c14n.py" --check
"$python" "$here/gen_malformed.py" --check
"$here/check_dsig.sh"
"$python" "$here/verify_signxml.py"
# The JavaScript oracle (no libxml2): run when xml-crypto is installed, e.g.
#   npm install --prefix /work/.node-saml xml-crypto@6.3.2 @xmldom/xmldom@0.9.12
node_path=${NODE_PATH:-/work/.node-saml/node_modules}
if command -v node >/dev/null && [ -d "$node_path/xml-crypto" ]; then
  NODE_PATH=$node_path node "$here/c14n_xmlcrypto.js"
  NODE_PATH=$node_path node "$here/verify_xmlcrypto.js"
else
  echo "SKIPPED xml-crypto oracles: not installed under $node_path"
fi
