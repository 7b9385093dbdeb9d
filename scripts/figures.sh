#!/usr/bin/env bash
# figures.sh prints, in one run, every figure issue #10 (streaming core)
# asks for, each measured on the real binary or in a `go test -bench`:
#
#   1. peak RSS ÷ input size of `diagnose` and `export --to sse|jsonl|har`
#      on bare SSE and JSONL captures of 64 and 512 MiB   (scripts/rss.sh)
#   2. replay's time to first event and to verdict at 64 and 512 MiB, and
#      its peak RSS, in a pseudo-terminal                  (scripts/ttfe)
#   3. `proxy` with the inspector: peak RSS for 300 × 1 MB (scripts/tuirss)
#   4. the proxy against a direct connection: throughput under 100
#      concurrent streams, added latency at 10k events/s, CPU per event
#      against the origin's                   (BenchmarkProxyWire, stream)
#   5. `proxy --no-tui` peak RSS with a 1 GiB request body and a 1 GiB
#      response                        (TestProxyPeakRSSGigabyte, main)
#   6. diagnose throughput on the 64 MiB stream    (BenchmarkDiagnose, inspect)
#   7. `proxy --otlp`: added latency per chunk and proxy CPU per exchange,
#      export off / on / to a dead collector, one run  (BenchmarkProxyOTLP, main)
#
#   scripts/figures.sh              # everything (about 10 minutes, ~6 GiB of temporary files)
#   SIZES=64 scripts/figures.sh     # capture sizes in MiB for 1 and 2
#
# The machine this project runs on is small and shared: compare figures
# from the same run (ratios), not across runs.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${SIZES:-"64 512"}
bin=$(mktemp -d)/midstream
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" .

section() { printf '\n== %s\n' "$*"; }

section "1. diagnose and export: peak RSS ÷ input"
SIZES="$sizes" scripts/rss.sh

section "2. replay: time to first event, to verdict, peak RSS"
go run ./scripts/ttfe -bin "$bin" -sizes "$(echo "$sizes" | tr ' ' ',')" -formats sse,jsonl -runs 3

section "3. proxy with the inspector: 300 × 1 MB exchanges"
go run ./scripts/tuirss -bin "$bin" -n 300 -size 1000000

section "4. proxy against direct: throughput (100 streams), latency (10k events/s), CPU per event"
go test ./stream -run '^$' -bench ProxyWire -benchtime 1x | grep -v '^\(goos\|goarch\|pkg\|cpu\|PASS\|ok\)'

section "5. proxy --no-tui: peak RSS with a 1 GiB request body and a 1 GiB response"
MIDSTREAM_RSS=1 go test -run PeakRSS -v -count 1 . | grep -i 'rss\|---\|gib' || true

section "6. diagnose throughput, 64 MiB stream"
go test ./inspect -run '^$' -bench 'Diagnose$' -benchtime 3x -count 3 | grep -v '^\(goos\|goarch\|pkg\|cpu\|PASS\|ok\)'

section "7. proxy --otlp: added latency per chunk, CPU per exchange (export off / on / dead collector)"
go test . -run '^$' -bench ProxyOTLP -benchtime 1x | grep -v '^\(goos\|goarch\|pkg\|cpu\|PASS\|ok\)'
