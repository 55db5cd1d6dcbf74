#!/usr/bin/env bash
# Checks, with curl, the peer behaviour that scripts/peers/README.md documents
# and that the connector tests rely on. Run after scripts/peers/start.sh:
#   scripts/peers/smoke.sh [bluesky] [mastodon] [wordpress]   (default: all)
# Prints one line per check; exits non-zero when one fails. Safe to repeat:
# it makes new accounts/posts each time (the peers are not reset).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ENV_FILE="$ROOT/target/peers/env"
[ -f "$ENV_FILE" ] || {
    echo "no $ENV_FILE: run scripts/peers/start.sh first" >&2
    exit 1
}
# shellcheck disable=SC1090
. "$ENV_FILE"
command -v jq >/dev/null 2>&1 || {
    echo "smoke.sh needs jq (apt-get install jq)" >&2
    exit 1
}

if [ "$#" -gt 0 ]; then PEERS=("$@"); else PEERS=(bluesky mastodon wordpress); fi
FAILS=0
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# check NAME EXPR: evaluates EXPR (a shell condition), prints ok/FAIL.
check() {
    if eval "$2"; then
        echo "ok   - $1"
    else
        echo "FAIL - $1"
        FAILS=$((FAILS + 1))
    fi
}

# A 1x1 red PNG.
echo 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC' | base64 -d >"$TMP/pixel.png"
N="$RANDOM$RANDOM"
NOW="$(date -u +%Y-%m-%dT%H:%M:%S.000Z)"

smoke_bluesky() {
    local P="$TRIBUNE_TEST_BSKY_PDS" AV="$TRIBUNE_TEST_BSKY_APPVIEW" CTL="$TRIBUNE_TEST_BSKY_CONTROL"
    echo "# Bluesky: PDS $P, AppView $AV, control $CTL"
    local u
    for u in alice bob; do
        curl -s -X POST "$P/xrpc/com.atproto.server.createAccount" -H 'Content-Type: application/json' \
            -d "{\"handle\":\"$u$N.test\",\"email\":\"$u$N@example.com\",\"password\":\"$u-password\"}" >"$TMP/$u.json"
    done
    check "createAccount without invite code" '[ "$(jq -r .handle "$TMP/alice.json")" = "alice$N.test" ]'
    local ADID BDID AJWT BJWT
    ADID="$(jq -r .did "$TMP/alice.json")"
    BDID="$(jq -r .did "$TMP/bob.json")"
    AJWT="$(jq -r .accessJwt "$TMP/alice.json")"
    BJWT="$(jq -r .accessJwt "$TMP/bob.json")"

    curl -s -X POST "$P/xrpc/com.atproto.server.createAppPassword" -H "Authorization: Bearer $AJWT" \
        -H 'Content-Type: application/json' -d '{"name":"tribune"}' >"$TMP/apppw.json"
    check "createAppPassword (xxxx-xxxx-xxxx-xxxx)" '[[ "$(jq -r .password "$TMP/apppw.json")" =~ ^[a-z0-9]{4}(-[a-z0-9]{4}){3}$ ]]'
    curl -s -X POST "$P/xrpc/com.atproto.server.createSession" -H 'Content-Type: application/json' \
        -d "{\"identifier\":\"alice$N.test\",\"password\":\"$(jq -r .password "$TMP/apppw.json")\"}" >"$TMP/session.json"
    check "createSession with the app password" '[ "$(jq -r .did "$TMP/session.json")" = "$ADID" ]'
    local SJWT
    SJWT="$(jq -r .accessJwt "$TMP/session.json")"

    curl -s -X POST "$P/xrpc/com.atproto.repo.createRecord" -H "Authorization: Bearer $SJWT" \
        -H 'Content-Type: application/json' \
        -d "{\"repo\":\"$ADID\",\"collection\":\"app.bsky.feed.post\",\"record\":{\"\$type\":\"app.bsky.feed.post\",\"text\":\"Hello from tribune\",\"createdAt\":\"$NOW\"}}" >"$TMP/post.json"
    check "createRecord app.bsky.feed.post (app-password session)" '[[ "$(jq -r .uri "$TMP/post.json")" == at://$ADID/app.bsky.feed.post/* ]]'
    local URI CID
    URI="$(jq -r .uri "$TMP/post.json")"
    CID="$(jq -r .cid "$TMP/post.json")"
    curl -s -X POST "$P/xrpc/com.atproto.repo.createRecord" -H "Authorization: Bearer $BJWT" \
        -H 'Content-Type: application/json' \
        -d "{\"repo\":\"$BDID\",\"collection\":\"app.bsky.feed.post\",\"record\":{\"\$type\":\"app.bsky.feed.post\",\"text\":\"A reply\",\"createdAt\":\"$NOW\",\"reply\":{\"root\":{\"uri\":\"$URI\",\"cid\":\"$CID\"},\"parent\":{\"uri\":\"$URI\",\"cid\":\"$CID\"}}}}" >"$TMP/reply.json"
    check "reply by a second account" '[ "$(jq -r .validationStatus "$TMP/reply.json")" = valid ]'

    check "POST control /process-all" '[ "$(curl -s -X POST "$CTL/process-all" | jq -r .ok)" = true ]'

    curl -s -G "$P/xrpc/app.bsky.feed.getPostThread" --data-urlencode "uri=$URI" \
        -H "Authorization: Bearer $SJWT" >"$TMP/thread.json"
    check "getPostThread through the PDS (no atproto-proxy header)" \
        '[ "$(jq -r ".thread.replies[0].post.author.did" "$TMP/thread.json")" = "$BDID" ]'
    curl -s -G "$P/xrpc/app.bsky.feed.getPostThread" --data-urlencode "uri=$URI" \
        -H "Authorization: Bearer $SJWT" -H "atproto-proxy: $TRIBUNE_TEST_BSKY_APPVIEW_DID#bsky_appview" >"$TMP/thread2.json"
    check "getPostThread through the PDS with atproto-proxy" \
        '[ "$(jq -r ".thread.replies[0].post.author.did" "$TMP/thread2.json")" = "$BDID" ]'
    curl -s -G "$AV/xrpc/app.bsky.feed.getPostThread" --data-urlencode "uri=$URI" >"$TMP/thread3.json"
    check "getPostThread directly on the AppView, no auth" \
        '[ "$(jq -r ".thread.post.replyCount" "$TMP/thread3.json")" = 1 ]'
    curl -s "$P/xrpc/app.bsky.notification.listNotifications" -H "Authorization: Bearer $SJWT" >"$TMP/notifs.json"
    check "listNotifications: reason=reply from the second account" \
        '[ "$(jq -r "[.notifications[] | select(.reason == \"reply\") | .author.did][0]" "$TMP/notifs.json")" = "$BDID" ]'

    curl -s -X POST "$P/xrpc/com.atproto.repo.deleteRecord" -H "Authorization: Bearer $SJWT" \
        -H 'Content-Type: application/json' \
        -d "{\"repo\":\"$ADID\",\"collection\":\"app.bsky.feed.post\",\"rkey\":\"${URI##*/}\"}" >/dev/null
    curl -s -X POST "$CTL/process-all" >/dev/null
    check "deleteRecord, then getPostThread answers 400 NotFound" \
        '[ "$(curl -s -G "$P/xrpc/app.bsky.feed.getPostThread" --data-urlencode "uri=$URI" -H "Authorization: Bearer $SJWT" | jq -r .error)" = NotFound ]'
}

smoke_mastodon() {
    local M="$TRIBUNE_TEST_MASTODON_URL"
    local A="Authorization: Bearer $TRIBUNE_TEST_MASTODON_TOKEN" F="Authorization: Bearer $TRIBUNE_TEST_MASTODON_OTHER_TOKEN"
    echo "# Mastodon mock: $M"
    check "verify_credentials (mock_token = testuser)" \
        '[ "$(curl -s "$M/api/v1/accounts/verify_credentials" -H "$A" | jq -r .acct)" = testuser ]'
    check "v2 instance: configuration.statuses.max_characters = 500" \
        '[ "$(curl -s "$M/api/v2/instance" | jq -r .configuration.statuses.max_characters)" = 500 ]'
    curl -s -X POST "$M/api/v2/media" -H "$A" -F "file=@$TMP/pixel.png;type=image/png" -F 'description=A red pixel' >"$TMP/media.json"
    check "POST /api/v2/media (multipart file + description)" '[ "$(jq -r .description "$TMP/media.json")" = "A red pixel" ]'
    local MID
    MID="$(jq -r .id "$TMP/media.json")"
    curl -s -X POST "$M/api/v1/statuses" -H "$A" -H "Idempotency-Key: smoke-$N" \
        --data-urlencode "status=Hello $N" --data-urlencode "media_ids[]=$MID" >"$TMP/st1.json"
    curl -s -X POST "$M/api/v1/statuses" -H "$A" -H "Idempotency-Key: smoke-$N" \
        --data-urlencode "status=Hello again $N" >"$TMP/st2.json"
    check "POST /api/v1/statuses with media_ids[]" '[ "$(jq -r ".media_attachments[0].id" "$TMP/st1.json")" = "$MID" ]'
    check "Idempotency-Key: same key, same status" '[ "$(jq -r .id "$TMP/st1.json")" = "$(jq -r .id "$TMP/st2.json")" ]'
    local SID
    SID="$(jq -r .id "$TMP/st1.json")"
    local LAST
    LAST="$(curl -s "$M/api/v1/notifications?limit=1" -H "$A" | jq -r '.[0].id // empty')"
    curl -s -X POST "$M/api/v1/statuses" -H "$F" --data-urlencode "status=@testuser nice $N" \
        --data-urlencode "in_reply_to_id=$SID" >"$TMP/reply.json"
    check "reply with in_reply_to_id by the second token" '[ "$(jq -r .in_reply_to_id "$TMP/reply.json")" = "$SID" ]'
    curl -s -G "$M/api/v1/notifications" -H "$A" --data-urlencode "types[]=mention" \
        ${LAST:+--data-urlencode "since_id=$LAST"} >"$TMP/notifs.json"
    check "notifications since_id + types[]=mention: the reply" \
        '[ "$(jq -r ".[0].status.id" "$TMP/notifs.json")" = "$(jq -r .id "$TMP/reply.json")" ]'
    check "status context: the reply is a descendant" \
        '[ "$(curl -s "$M/api/v1/statuses/$SID/context" -H "$A" | jq -r ".descendants[0].id")" = "$(jq -r .id "$TMP/reply.json")" ]'
    check "DELETE /api/v1/statuses/:id, then GET is 404" \
        '[ "$(curl -s -o /dev/null -w "%{http_code}" -X DELETE "$M/api/v1/statuses/$SID" -H "$A")$(curl -s -o /dev/null -w "%{http_code}" "$M/api/v1/statuses/$SID" -H "$A")" = 200404 ]'
}

smoke_wordpress() {
    local W="$TRIBUNE_TEST_WP_URL" AUTH="$TRIBUNE_TEST_WP_USER:$TRIBUNE_TEST_WP_APP_PASSWORD"
    local U="$W/wp-json/wp/v2"
    echo "# WordPress: $W"
    check "users/me with the application password (Basic auth)" \
        '[ "$(curl -s -u "$AUTH" "$U/users/me" | jq -r .id)" = 1 ]'
    check "?rest_route= form works too" \
        '[ "$(curl -s -u "$AUTH" "$W/?rest_route=/wp/v2/users/me" | jq -r .id)" = 1 ]'
    curl -s -u "$AUTH" -X POST "$U/posts" -H 'Content-Type: application/json' \
        -d "{\"title\":\"Hello $N\",\"content\":\"<p>From tribune</p>\",\"status\":\"publish\"}" >"$TMP/post.json"
    check "create a published post" '[ "$(jq -r .status "$TMP/post.json")" = publish ]'
    local PID
    PID="$(jq -r .id "$TMP/post.json")"
    curl -s -u "$AUTH" -X POST "$U/media" -H 'Content-Type: image/png' \
        -H "Content-Disposition: attachment; filename=\"pixel-$N.png\"" --data-binary "@$TMP/pixel.png" >"$TMP/media.json"
    check "upload media (raw body + Content-Disposition)" '[ "$(jq -r .mime_type "$TMP/media.json")" = image/png ]'
    check "set alt_text on the media" \
        '[ "$(curl -s -u "$AUTH" -X POST "$U/media/$(jq -r .id "$TMP/media.json")" -H "Content-Type: application/json" -d "{\"alt_text\":\"A red pixel\"}" | jq -r .alt_text)" = "A red pixel" ]'
    curl -s -X POST "$U/comments" -H 'Content-Type: application/json' \
        -d "{\"post\":$PID,\"author_name\":\"Visitor\",\"author_email\":\"visitor@example.com\",\"content\":\"Nice $N\"}" >"$TMP/c1.json"
    check "anonymous comment, held for moderation" '[ "$(jq -r .status "$TMP/c1.json")" = hold ]'
    local CID
    CID="$(jq -r .id "$TMP/c1.json")"
    local s got=""
    for s in approved hold spam trash approved; do
        got="$got$(curl -s -u "$AUTH" -X POST "$U/comments/$CID" -H 'Content-Type: application/json' -d "{\"status\":\"$s\"}" | jq -r .status),"
    done
    check "moderate: approved, hold, spam, trash, approved" '[ "$got" = "approved,hold,spam,trash,approved," ]'
    curl -s -X POST "$U/comments" -H 'Content-Type: application/json' \
        -d "{\"post\":$PID,\"author_name\":\"Visitor 2\",\"author_email\":\"visitor2@example.com\",\"content\":\"Later $N\"}" >"$TMP/c2.json"
    check "list comments: status=approve + orderby=id" \
        '[ "$(curl -s -u "$AUTH" "$U/comments?post=$PID&status=approve&orderby=id&order=asc" | jq -r "[.[].id] | join(\",\")")" = "$CID" ]'
    check "list comments: status=hold + after=<first comment date_gmt>Z" \
        '[ "$(curl -s -u "$AUTH" "$U/comments?post=$PID&status=hold&after=$(jq -r .date_gmt "$TMP/c1.json")Z" | jq -r "[.[].id] | join(\",\")")" = "$(jq -r .id "$TMP/c2.json")" ] || [ "$(jq -r .date_gmt "$TMP/c1.json")" = "$(jq -r .date_gmt "$TMP/c2.json")" ]'
    check "delete the post (force=true)" \
        '[ "$(curl -s -u "$AUTH" -X DELETE "$U/posts/$PID?force=true" | jq -r .deleted)" = true ]'
}

for p in "${PEERS[@]}"; do
    "smoke_$p"
done
if [ "$FAILS" -gt 0 ]; then
    echo "$FAILS check(s) failed" >&2
    exit 1
fi
echo "all checks passed"
