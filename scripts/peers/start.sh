#!/usr/bin/env bash
# Installs (once, cached) and starts the local peer servers of the connector
# integration tests, then writes target/peers/env for the tests to source:
#   bluesky    @atproto/dev-env TestNetwork: PLC, PDS, AppView, ozone + control
#   mastodon   mastodon-mock (PyPI), in memory
#   wordpress  Debian's wordpress + MariaDB + PHP's built-in server
#   smtp       aiosmtpd (PyPI), keeping each message as a .eml file
#
# Usage: scripts/peers/start.sh [bluesky] [mastodon] [wordpress] [smtp]   (default: all)
#        . target/peers/env
# Stop them with scripts/peers/stop.sh. Details, ports and API notes:
# scripts/peers/README.md.
#
# Idempotent: a peer that is already running and healthy is left alone (its
# state is kept); a peer that is started gets fresh state (databases recreated).
# Installed things are cached in $TRIBUNE_PEERS_CACHE (default
# ${XDG_CACHE_HOME:-~/.cache}/tribune-peers), shared by all clones of the repo.
# Exits non-zero when a peer cannot be installed or started (the others are
# still started and written to the env file).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/scripts/peers"
CACHE="${TRIBUNE_PEERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tribune-peers}"
RUN="$ROOT/target/peers"
ENV_FILE="$RUN/env"

# Pinned versions (the npm and Python dependency trees are pinned by
# bluesky/package-lock.json, mastodon/requirements.txt and smtp/requirements.txt).
NODE_VERSION=22.23.3

# Ports. The Bluesky ones are fixed so that URLs stay the same across runs;
# dev-env also opens a few internal services on random free ports.
BSKY_PLC_PORT=2582
BSKY_PDS_PORT=2583
BSKY_APPVIEW_PORT=2584
BSKY_OZONE_PORT=2585
BSKY_CONTROL_PORT=2590
MASTODON_PORT=3900
WP_PORT=8089
SMTP_PORT=3925

# Machine services the peers use.
PG_URL="${TRIBUNE_PEERS_PG_URL:-postgres://postgres@127.0.0.1:5432}"
BSKY_DB=tribune_peer_bsky
REDIS_HOST="${TRIBUNE_PEERS_REDIS_HOST:-127.0.0.1:6379}"
WP_DB=tribune_peer_wp
WP_DB_HOST="${TRIBUNE_PEERS_MYSQL_HOST:-127.0.0.1}"
WP_DB_PORT="${TRIBUNE_PEERS_MYSQL_PORT:-3306}"
WP_DB_USER="${TRIBUNE_PEERS_MYSQL_USER:-root}"
WP_DB_PASSWORD="${TRIBUNE_PEERS_MYSQL_PASSWORD:-}"
WP_USER=admin
WP_PASSWORD=admin-password   # login password; tests use the application password

# Seconds to wait for a peer to answer after it was launched.
READY_TIMEOUT="${TRIBUNE_PEERS_READY_TIMEOUT:-120}"

ALL_PEERS=(bluesky mastodon wordpress smtp)
if [ "$#" -gt 0 ]; then PEERS=("$@"); else PEERS=("${ALL_PEERS[@]}"); fi
for p in "${PEERS[@]}"; do
    case "$p" in bluesky | mastodon | wordpress | smtp) ;; *)
        echo "usage: $0 [bluesky] [mastodon] [wordpress] [smtp]" >&2
        exit 2
        ;;
    esac
done

mkdir -p "$CACHE" "$RUN"
FAILED=()

say() { printf '==> %s\n' "$*"; }
err() { printf 'ERROR: %s\n' "$*" >&2; }

# fail PEER MESSAGE: records the failure; the script goes on with other peers.
fail() {
    err "$1: $2"
    FAILED+=("$1")
}
failed() { [[ " ${FAILED[*]-} " == *" $1 "* ]]; }

# Last lines of a peer's log, to explain a failure.
show_log() {
    if [ -s "$RUN/$1.log" ]; then
        echo "---- last lines of $RUN/$1.log ----" >&2
        tail -n 30 "$RUN/$1.log" >&2
        echo "----" >&2
    fi
}

sha() { cat "$@" | sha256sum | cut -d' ' -f1; }

# http_ok URL [curl args…]: true when URL answers 2xx within 3 s.
http_ok() {
    local url="$1"
    shift
    curl -fsS -o /dev/null --max-time 3 "$@" "$url" 2>/dev/null
}

tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# Root for apt-get, or sudo without a password, or nothing.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo -n "$@"
    else
        err "need root to run: $*"
        return 1
    fi
}

APT_UPDATED=
apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    if [ -z "$APT_UPDATED" ]; then
        as_root apt-get update -q </dev/null >"$RUN/apt.log" 2>&1 || {
            tail -n 20 "$RUN/apt.log" >&2
            return 1
        }
        APT_UPDATED=1
    fi
    as_root apt-get install -y -q --no-install-recommends "$@" </dev/null >>"$RUN/apt.log" 2>&1 || {
        tail -n 20 "$RUN/apt.log" >&2
        return 1
    }
}

pid_of() { cat "$RUN/$1.pid" 2>/dev/null || true; }
# A peer runs as a process group of its own, led by the pid in its pid file.
# The group counts as alive while any member is (PHP's server workers can
# outlive their parent).
alive() {
    local pid
    pid="$(pid_of "$1")"
    [ -n "$pid" ] && kill -0 -- "-$pid" 2>/dev/null
}

# stop_peer NAME: ends the process group started for NAME (see launch).
stop_peer() {
    local pid
    pid="$(pid_of "$1")"
    if [ -n "$pid" ] && kill -0 -- "-$pid" 2>/dev/null; then
        kill -TERM -- "-$pid" 2>/dev/null || true
        for _ in $(seq 1 40); do
            kill -0 -- "-$pid" 2>/dev/null || break
            sleep 0.25
        done
        kill -KILL -- "-$pid" 2>/dev/null || true
    fi
    rm -f "$RUN/$1.pid"
}

# launch NAME DIR CMD…: runs CMD in DIR in a session of its own (so that it
# outlives this script and stop.sh can end it with all its children), output
# to target/peers/NAME.log, pid to target/peers/NAME.pid.
launch() {
    local name="$1" dir="$2"
    shift 2
    : >"$RUN/$name.log"
    (cd "$dir" && exec setsid nohup "$@" </dev/null >>"$RUN/$name.log" 2>&1) &
    echo "$!" >"$RUN/$name.pid"
}

# wait_ready NAME CHECK…: polls CHECK until it succeeds, the process dies or
# READY_TIMEOUT passes.
wait_ready() {
    local name="$1"
    shift
    local deadline=$((SECONDS + READY_TIMEOUT))
    while ((SECONDS < deadline)); do
        if "$@"; then return 0; fi
        if ! alive "$name"; then
            err "$name: the process exited during startup"
            show_log "$name"
            return 1
        fi
        sleep 0.25
    done
    err "$name: not ready after ${READY_TIMEOUT}s"
    show_log "$name"
    return 1
}

# A port that is in use by something other than our peer is an error.
check_port_free() {
    local name="$1" port="$2"
    if tcp_open 127.0.0.1 "$port"; then
        err "$name: port $port is in use by another process (peers started from another checkout? run its scripts/peers/stop.sh)"
        return 1
    fi
}

# ---------------------------------------------------------------- Bluesky --

NODE_DIR="$CACHE/node-$NODE_VERSION"
BSKY_DIR="$CACHE/bluesky"

install_node() {
    [ -x "$NODE_DIR/bin/node" ] && return 0
    command -v npm >/dev/null 2>&1 || {
        err "npm is needed to fetch Node $NODE_VERSION"
        return 1
    }
    local arch
    case "$(uname -m)" in
        x86_64) arch=x64 ;;
        aarch64 | arm64) arch=arm64 ;;
        *)
            err "no Node package for $(uname -m)"
            return 1
            ;;
    esac
    say "fetching Node $NODE_VERSION (npm package node-linux-$arch)"
    local tmp
    tmp="$(mktemp -d "$CACHE/.node.XXXXXX")"
    # The registry ships Node itself as an npm package: bin/node + include/.
    (cd "$tmp" && npm pack --silent "node-linux-$arch@$NODE_VERSION" >/dev/null) &&
        mkdir "$tmp/node" &&
        tar xzf "$tmp"/node-linux-*.tgz -C "$tmp/node" --strip-components=1 &&
        "$tmp/node/bin/node" --version >/dev/null &&
        mv "$tmp/node" "$NODE_DIR"
    local rc=$?
    rm -rf "$tmp"
    return $rc
}

install_bluesky() {
    install_node || return 1
    # Reinstall node_modules only when the lock file (or Node) changed.
    local want
    want="$(sha "$HERE/bluesky/package.json" "$HERE/bluesky/package-lock.json") $NODE_VERSION"
    if [ -d "$BSKY_DIR/node_modules" ] && [ "$(cat "$BSKY_DIR/.installed" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    say "installing @atproto/dev-env into $BSKY_DIR (first time: about 2 minutes)"
    mkdir -p "$BSKY_DIR"
    rm -f "$BSKY_DIR/.installed"
    cp "$HERE/bluesky/package.json" "$HERE/bluesky/package-lock.json" "$BSKY_DIR/"
    # Node 22 first on PATH runs npm (and node-gyp) with it; better-sqlite3 is
    # compiled against the headers of that Node (npm_config_nodedir).
    (cd "$BSKY_DIR" &&
        PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" \
            npm ci --no-audit --no-fund --loglevel=error >"$RUN/bluesky-install.log" 2>&1) || {
        tail -n 30 "$RUN/bluesky-install.log" >&2
        return 1
    }
    echo "$want" >"$BSKY_DIR/.installed"
}

bsky_healthy() {
    http_ok "http://127.0.0.1:$BSKY_CONTROL_PORT/health" &&
        http_ok "http://127.0.0.1:$BSKY_PDS_PORT/xrpc/_health" &&
        http_ok "http://127.0.0.1:$BSKY_APPVIEW_PORT/xrpc/_health"
}

launch_bluesky() {
    for port in $BSKY_PLC_PORT $BSKY_PDS_PORT $BSKY_APPVIEW_PORT $BSKY_OZONE_PORT $BSKY_CONTROL_PORT; do
        check_port_free bluesky "$port" || return 1
    done
    tcp_open "${REDIS_HOST%:*}" "${REDIS_HOST##*:}" || {
        err "Redis is not reachable at $REDIS_HOST"
        return 1
    }
    command -v psql >/dev/null 2>&1 || {
        err "psql is needed to create the AppView database"
        return 1
    }
    # Fresh state: a new database, and a new directory for the PDS's SQLite
    # files and blobs (dev-env puts them under the OS temp directory).
    psql "$PG_URL/postgres" -v ON_ERROR_STOP=1 -qAt \
        -c "DROP DATABASE IF EXISTS $BSKY_DB WITH (FORCE)" \
        -c "CREATE DATABASE $BSKY_DB" >/dev/null || {
        err "cannot recreate database $BSKY_DB at $PG_URL"
        return 1
    }
    rm -rf "$RUN/bluesky-tmp"
    mkdir -p "$RUN/bluesky-tmp"
    # The harness must sit next to node_modules to resolve its imports.
    cp "$HERE/bluesky/harness.mjs" "$BSKY_DIR/harness.mjs"
    launch bluesky "$BSKY_DIR" env \
        PATH="$NODE_DIR/bin:$PATH" TMPDIR="$RUN/bluesky-tmp" NODE_ENV=development \
        BSKY_DB_URL="$PG_URL/$BSKY_DB" REDIS_HOST="$REDIS_HOST" \
        BSKY_PLC_PORT=$BSKY_PLC_PORT BSKY_PDS_PORT=$BSKY_PDS_PORT \
        BSKY_APPVIEW_PORT=$BSKY_APPVIEW_PORT BSKY_OZONE_PORT=$BSKY_OZONE_PORT \
        BSKY_CONTROL_PORT=$BSKY_CONTROL_PORT \
        "$NODE_DIR/bin/node" harness.mjs
}

# Prints the env lines for Bluesky, from what the network reports.
env_bluesky() {
    curl -fsS --max-time 5 "http://127.0.0.1:$BSKY_CONTROL_PORT/health" | python3 -c '
import json, sys
h = json.load(sys.stdin)
print("export TRIBUNE_TEST_BSKY_PDS=%s" % h["pds"])
print("export TRIBUNE_TEST_BSKY_APPVIEW=%s" % h["appview"])
print("export TRIBUNE_TEST_BSKY_APPVIEW_DID=%s" % h["appviewDid"])
print("export TRIBUNE_TEST_BSKY_CONTROL=http://127.0.0.1:'"$BSKY_CONTROL_PORT"'")'
}

# --------------------------------------------------------------- Mastodon --

MASTODON_VENV="$CACHE/mastodon-venv"

install_mastodon() {
    local want
    want="$(sha "$HERE/mastodon/requirements.txt") $(python3 -c 'import sys; print(sys.version.split()[0])')"
    if [ -x "$MASTODON_VENV/bin/mastodon_mock" ] && [ "$(cat "$MASTODON_VENV/.installed" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    say "installing mastodon-mock into $MASTODON_VENV"
    rm -rf "$MASTODON_VENV"
    {
        python3 -m venv "$MASTODON_VENV" &&
            "$MASTODON_VENV/bin/pip" install -q --disable-pip-version-check \
                -r "$HERE/mastodon/requirements.txt"
    } >"$RUN/mastodon-install.log" 2>&1 || {
        tail -n 30 "$RUN/mastodon-install.log" >&2
        return 1
    }
    echo "$want" >"$MASTODON_VENV/.installed"
}

mastodon_healthy() {
    http_ok "http://127.0.0.1:$MASTODON_PORT/api/v1/accounts/verify_credentials" \
        -H "Authorization: Bearer mock_token"
}

launch_mastodon() {
    check_port_free mastodon $MASTODON_PORT || return 1
    # In-memory database and media in a temp dir of its own: fresh state.
    rm -rf "$RUN/mastodon-tmp"
    mkdir -p "$RUN/mastodon-tmp"
    launch mastodon "$RUN/mastodon-tmp" env TMPDIR="$RUN/mastodon-tmp" \
        "$MASTODON_VENV/bin/mastodon_mock" serve \
        --config "$HERE/mastodon/mastodon_mock.toml" --in-memory \
        --host 127.0.0.1 --port $MASTODON_PORT --log-level warning
}

env_mastodon() {
    echo "export TRIBUNE_TEST_MASTODON_URL=http://127.0.0.1:$MASTODON_PORT"
    echo "export TRIBUNE_TEST_MASTODON_TOKEN=mock_token"
    echo "export TRIBUNE_TEST_MASTODON_OTHER_TOKEN=friend_token"
}

# -------------------------------------------------------------- WordPress --

WP_URL="http://127.0.0.1:$WP_PORT"
WP_APP_PASSWORD_FILE="$RUN/wordpress.app-password"

install_wordpress() {
    local pkgs=()
    [ -f /usr/share/wordpress/wp-settings.php ] || pkgs+=(wordpress)
    command -v php >/dev/null 2>&1 || pkgs+=(php-cli)
    php -m 2>/dev/null | grep -qx mysqli || pkgs+=(php-mysql)
    command -v mysql >/dev/null 2>&1 || pkgs+=(default-mysql-client)
    if [ "${#pkgs[@]}" -gt 0 ]; then
        say "installing Debian packages: ${pkgs[*]}"
        apt_install "${pkgs[@]}" || return 1
    fi
    # Debian's wp-config.php wants a config file under /etc/wordpress; rather
    # than touching /etc, WordPress is copied into the cache, once per package
    # version, and gets our own wp-config.php (see launch_wordpress).
    local version
    version="$(dpkg-query -W -f='${Version}' wordpress 2>/dev/null || echo unknown)"
    WP_DIR="$CACHE/wordpress-$version"
    if [ ! -f "$WP_DIR/wp-settings.php" ]; then
        say "copying WordPress $version into $WP_DIR"
        rm -rf "$WP_DIR.tmp"
        cp -a /usr/share/wordpress "$WP_DIR.tmp" &&
            rm -f "$WP_DIR.tmp/.htaccess" &&
            mv "$WP_DIR.tmp" "$WP_DIR" || return 1
    fi
    repair_wordpress_links
}

# Debian's package links the libraries it ships apart (getID3, which WordPress
# runs on every uploaded video or audio file; cropper, underscore) with links
# relative to /usr/share/wordpress, which dangle once copied: an uploaded video
# then ends in a PHP fatal error (500) after its attachment was created. Point
# them at the package's files. Idempotent, so older cached copies are repaired.
repair_wordpress_links() {
    local link target
    while IFS= read -r -d '' link; do
        target="$(readlink -f "/usr/share/wordpress/${link#"$WP_DIR"/}")" || continue
        [ -e "$target" ] && ln -sfn "$target" "$link"
    done < <(find "$WP_DIR" -xtype l -print0)
}

wp_mysql() {
    MYSQL_PWD="$WP_DB_PASSWORD" mysql -h "$WP_DB_HOST" -P "$WP_DB_PORT" -u "$WP_DB_USER" "$@"
}

wp_healthy() {
    [ -s "$WP_APP_PASSWORD_FILE" ] &&
        http_ok "$WP_URL/wp-json/wp/v2/users/me" -u "$WP_USER:$(cat "$WP_APP_PASSWORD_FILE")"
}

launch_wordpress() {
    check_port_free wordpress $WP_PORT || return 1
    local f
    for f in wp-config.php router.php setup.php; do
        cp "$HERE/wordpress/$f" "$WP_DIR/$f"
    done
    # Fresh state: no uploads, a new database.
    rm -rf "$WP_DIR/wp-content/uploads"
    mkdir -p "$WP_DIR/wp-content/uploads" "$WP_DIR/wp-content/mu-plugins"
    cp "$HERE"/wordpress/mu-plugins/*.php "$WP_DIR/wp-content/mu-plugins/"
    wp_mysql -e "DROP DATABASE IF EXISTS $WP_DB; CREATE DATABASE $WP_DB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci" || {
        err "cannot recreate database $WP_DB on MariaDB at $WP_DB_HOST:$WP_DB_PORT"
        return 1
    }
    local wp_env=(TRIBUNE_WP_URL="$WP_URL" TRIBUNE_WP_DB_NAME="$WP_DB"
        TRIBUNE_WP_DB_HOST="$WP_DB_HOST:$WP_DB_PORT" TRIBUNE_WP_DB_USER="$WP_DB_USER"
        TRIBUNE_WP_DB_PASSWORD="$WP_DB_PASSWORD")
    # Install the site and make the application password (setup.php prints it).
    local app_password
    app_password="$(cd "$WP_DIR" && env "${wp_env[@]}" TRIBUNE_WP_USER="$WP_USER" \
        TRIBUNE_WP_PASSWORD="$WP_PASSWORD" php setup.php 2>"$RUN/wordpress-setup.log")" || {
        cat "$RUN/wordpress-setup.log" >&2
        return 1
    }
    [ -n "$app_password" ] || {
        err "setup.php printed no application password"
        return 1
    }
    printf '%s\n' "$app_password" >"$WP_APP_PASSWORD_FILE"
    # Several workers: WordPress requests can then run side by side.
    launch wordpress "$WP_DIR" env "${wp_env[@]}" PHP_CLI_SERVER_WORKERS=4 \
        php -S "127.0.0.1:$WP_PORT" router.php
}

env_wordpress() {
    echo "export TRIBUNE_TEST_WP_URL=$WP_URL"
    echo "export TRIBUNE_TEST_WP_USER=$WP_USER"
    echo "export TRIBUNE_TEST_WP_APP_PASSWORD=$(cat "$WP_APP_PASSWORD_FILE")"
}

# ------------------------------------------------------------------- SMTP --

SMTP_VENV="$CACHE/smtp-venv"
SMTP_DIR="$RUN/smtp-messages"

install_smtp() {
    local want
    want="$(sha "$HERE/smtp/requirements.txt") $(python3 -c 'import sys; print(sys.version.split()[0])')"
    if [ -x "$SMTP_VENV/bin/aiosmtpd" ] && [ "$(cat "$SMTP_VENV/.installed" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    say "installing aiosmtpd into $SMTP_VENV"
    rm -rf "$SMTP_VENV"
    {
        python3 -m venv "$SMTP_VENV" &&
            "$SMTP_VENV/bin/pip" install -q --disable-pip-version-check \
                -r "$HERE/smtp/requirements.txt"
    } >"$RUN/smtp-install.log" 2>&1 || {
        tail -n 30 "$RUN/smtp-install.log" >&2
        return 1
    }
    echo "$want" >"$SMTP_VENV/.installed"
}

# Healthy: the server greets with 220 and the message directory exists.
smtp_healthy() {
    [ -d "$SMTP_DIR" ] || return 1
    (
        exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT" || exit 1
        read -r -t 3 line <&3 || exit 1
        printf 'QUIT\r\n' >&3
        [[ "$line" == 220* ]]
    ) 2>/dev/null
}

launch_smtp() {
    check_port_free smtp $SMTP_PORT || return 1
    # Fresh state: no messages from an earlier run.
    rm -rf "$SMTP_DIR"
    mkdir -p "$SMTP_DIR"
    launch smtp "$RUN" env TRIBUNE_SMTP_SINK_DIR="$SMTP_DIR" PYTHONPATH="$HERE/smtp" \
        "$SMTP_VENV/bin/python" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c eml_sink.EmlDir
}

env_smtp() {
    echo "export TRIBUNE_TEST_SMTP_PORT=$SMTP_PORT"
    echo "export TRIBUNE_TEST_SMTP_DIR=$SMTP_DIR"
}

# ------------------------------------------------------------------ main --

healthy() {
    case "$1" in
        bluesky) bsky_healthy ;;
        mastodon) mastodon_healthy ;;
        wordpress) wp_healthy ;;
        smtp) smtp_healthy ;;
    esac
}

# 1. Install what is missing.
for p in "${PEERS[@]}"; do
    if alive "$p" && healthy "$p"; then continue; fi
    "install_$p" || fail "$p" "installation failed"
done

# 2. Launch the peers that are not running (or not answering).
LAUNCHED=()
for p in "${PEERS[@]}"; do
    failed "$p" && continue
    if alive "$p" && healthy "$p"; then
        say "$p: already running (pid $(pid_of "$p"))"
        continue
    fi
    stop_peer "$p" # a stale or unhealthy one
    say "$p: starting"
    if "launch_$p"; then LAUNCHED+=("$p"); else fail "$p" "could not be started"; fi
done

# 3. Wait for each launched peer to answer.
for p in "${LAUNCHED[@]}"; do
    case "$p" in
        bluesky) check=bsky_healthy ;;
        mastodon) check=mastodon_healthy ;;
        wordpress) check=wp_healthy ;;
        smtp) check=smtp_healthy ;;
    esac
    if wait_ready "$p" "$check"; then
        say "$p: ready (pid $(pid_of "$p"))"
    else
        fail "$p" "did not become ready"
        stop_peer "$p"
    fi
done

# 4. The env file lists every peer that is up now, started by this run or not.
{
    echo "# Written by scripts/peers/start.sh at $(date -u +%Y-%m-%dT%H:%M:%SZ); source it."
    for p in "${ALL_PEERS[@]}"; do
        if alive "$p" && healthy "$p"; then
            "env_$p"
        fi
    done
} >"$ENV_FILE.tmp"
mv "$ENV_FILE.tmp" "$ENV_FILE"

echo
echo "env file: $ENV_FILE   (. $ENV_FILE)"
echo "logs:     $RUN/{bluesky,mastodon,wordpress,smtp}.log"
echo "stop:     scripts/peers/stop.sh"
if [ "${#FAILED[@]}" -gt 0 ]; then
    err "failed peers: ${FAILED[*]}"
    exit 1
fi
