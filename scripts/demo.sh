#!/usr/bin/env bash
# The demo: starts the embedded server, loads feature records and runs the
# serving pattern (9 sets x 200 keys per request) through the async client.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/bootstrap.sh
exec .venv/bin/python examples/demo.py "$@"
