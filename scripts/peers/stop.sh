#!/usr/bin/env bash
# Stops the local peers started by scripts/peers/start.sh (pid files in
# target/peers/). Each peer runs in a process group of its own, which is ended
# as a whole (PHP's server workers, uvicorn, …).
#
# Usage: scripts/peers/stop.sh [bluesky] [mastodon] [wordpress] [smtp]   (default: all)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
RUN="$ROOT/target/peers"

if [ "$#" -gt 0 ]; then PEERS=("$@"); else PEERS=(bluesky mastodon wordpress smtp); fi

for name in "${PEERS[@]}"; do
    pidfile="$RUN/$name.pid"
    [ -f "$pidfile" ] || continue
    pid="$(cat "$pidfile")"
    # The peer leads a process group of its own (setsid in start.sh); the
    # group is ended as a whole, even if its leader is already gone.
    if [ -n "$pid" ] && kill -0 -- "-$pid" 2>/dev/null; then
        echo "==> stopping $name (process group $pid)"
        kill -TERM -- "-$pid" 2>/dev/null || true
        for _ in $(seq 1 40); do
            kill -0 -- "-$pid" 2>/dev/null || break
            sleep 0.25
        done
        if kill -0 -- "-$pid" 2>/dev/null; then
            echo "    $name did not stop in 10 s: killing it"
            kill -KILL -- "-$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$pidfile"
done
rm -f "$RUN/env"
