#!/usr/bin/env bash
# rss.sh prints the peak resident memory of `midstream diagnose` and
# `midstream export --to sse|jsonl|har` divided by the size of the capture
# they read, for bare SSE and midstream JSONL captures of 64 and 512 MiB
# (issue #10: memory must not follow the size of a body).
#
#   scripts/rss.sh                 # 64 and 512 MiB
#   SIZES="64" scripts/rss.sh      # sizes in MiB
#   CHUNK=4096 scripts/rss.sh      # body bytes per JSONL chunk line (default 4096)
#
# It needs go, python3 and GNU time (/usr/bin/time); captures are written to
# a temporary directory (TMPDIR) and removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${SIZES:-"64 512"}
chunk=${CHUNK:-4096}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go build -o "$dir/midstream" .

gen() { # gen FORMAT MiB FILE
	python3 - "$1" "$2" "$3" "$chunk" <<'PY'
import json, sys
fmt, mib, path, chunk = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
ev = ('event: content_block_delta\ndata: {"type":"content_block_delta","index":0,'
      '"delta":{"type":"text_delta","text":"Hello there, streaming world"}}\n\n')
size = mib << 20
with open(path, "w") as f:
    if fmt == "sse":
        f.write('event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude","usage":{"input_tokens":1,"output_tokens":1}}}\n\n')
        f.write('event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n')
        block = ev * ((1 << 20) // len(ev))
        for _ in range(size // len(block)):
            f.write(block)
        f.write('event: message_stop\ndata: {"type":"message_stop"}\n\n')
    else:
        f.write(json.dumps({"format": "midstream-capture", "version": 1, "timed": True, "request": None,
                            "response": {"status": 200, "status_text": "OK", "headers": {"Content-Type": ["text/event-stream"]}, "at_us": 5}}) + "\n")
        body = ev * max(1, chunk // len(ev))
        n = 0
        at = 10
        while n < size:
            f.write(json.dumps({"t": "chunk", "at_us": at, "text": body}) + "\n")
            n += len(body)
            at += 1
        f.write(json.dumps({"t": "end", "at_us": at, "reason": "eof"}) + "\n")
PY
}

printf '%-6s %-6s %-18s %10s %10s %8s\n' format MiB command input_MiB peak_MiB ratio
for mib in $sizes; do
	for fmt in sse jsonl; do
		file="$dir/cap-$mib.$fmt"
		gen "$fmt" "$mib" "$file"
		in=$(stat -c %s "$file")
		for cmd in "diagnose" "export --to sse" "export --to jsonl" "export --to har"; do
			# shellcheck disable=SC2086 # cmd is split into words on purpose
			/usr/bin/time -f %M -o "$dir/rss" "$dir/midstream" $cmd "$file" >/dev/null 2>"$dir/err" || true
			kib=$(tail -1 "$dir/rss")
			awk -v f="$fmt" -v m="$mib" -v c="$cmd" -v sz="$in" -v k="$kib" 'BEGIN {
				printf "%-6s %-6s %-18s %10.1f %10.1f %8.2f\n", f, m, c, sz/1048576, k/1024, k*1024/sz }'
		done
		rm -f "$file"
	done
done
