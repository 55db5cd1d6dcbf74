// Local Bluesky network for tribune's connector tests: @atproto/dev-env's full
// TestNetwork (in-memory PLC, one PDS on SQLite, the AppView "bsky" and ozone on
// PostgreSQL), plus a tiny control HTTP server so that tests written in any
// language can wait for the AppView to index what they wrote.
//
// Started by scripts/peers/start.sh with Node >= 22; see scripts/peers/README.md.
//
// Environment (all have defaults):
//   BSKY_DB_URL        PostgreSQL URL of a database of its own (required)
//   REDIS_HOST         host:port of Redis (required by dev-env)
//   BSKY_PLC_PORT      2582   BSKY_PDS_PORT   2583
//   BSKY_APPVIEW_PORT  2584   BSKY_OZONE_PORT 2585
//   BSKY_CONTROL_PORT  2590 (bound to 127.0.0.1)
//
// Control endpoints:
//   GET  /health       200 {"ok":true,"pds":..,"appview":..,"plc":..,"ozone":..}
//   POST /process-all  runs network.processAll(); 200 {"ok":true} when the AppView
//                      has indexed everything written so far, 500 {"ok":false,"error"}
//   POST /invite       200 {"code": "..."}: an invite code (not needed: the PDS
//                      runs with inviteRequired=false; kept for tests of that path)

import http from 'node:http'
import { TestNetwork } from '@atproto/dev-env'

const env = (name, dflt) => {
  const v = process.env[name]
  return v === undefined || v === '' ? dflt : v
}
const port = (name, dflt) => Number.parseInt(env(name, String(dflt)), 10)

const dbPostgresUrl = env('BSKY_DB_URL')
if (!dbPostgresUrl) {
  console.error('harness: BSKY_DB_URL is required')
  process.exit(2)
}
if (!process.env.REDIS_HOST) {
  console.error('harness: REDIS_HOST is required')
  process.exit(2)
}

const controlPort = port('BSKY_CONTROL_PORT', 2590)
const log = (...args) => console.log(new Date().toISOString(), 'harness:', ...args)

log('starting TestNetwork…')
const started = Date.now()
const network = await TestNetwork.create({
  dbPostgresUrl,
  dbPostgresSchema: 'tribune',
  plc: { port: port('BSKY_PLC_PORT', 2582) },
  pds: { port: port('BSKY_PDS_PORT', 2583) },
  bsky: { port: port('BSKY_APPVIEW_PORT', 2584) },
  ozone: { port: port('BSKY_OZONE_PORT', 2585) },
})
const urls = {
  pds: network.pds.url,
  appview: network.bsky.url,
  plc: network.plc.url,
  ozone: network.ozone.url,
  appviewDid: network.bsky.ctx.cfg.serverDid,
}
log(`network up in ${Date.now() - started} ms:`, JSON.stringify(urls))

// processAll() is not meant to run concurrently with itself: queue the calls.
let queue = Promise.resolve()
const processAll = () => {
  const run = queue.then(() => network.processAll(10_000))
  queue = run.catch(() => {})
  return run
}

const send = (res, status, body) => {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

const server = http.createServer(async (req, res) => {
  // Drain any request body; none of the endpoints reads one.
  req.resume()
  const path = new URL(req.url, 'http://control').pathname
  try {
    if (req.method === 'GET' && path === '/health') {
      return send(res, 200, { ok: true, ...urls })
    }
    if (req.method === 'POST' && path === '/process-all') {
      const t0 = Date.now()
      await processAll()
      return send(res, 200, { ok: true, ms: Date.now() - t0 })
    }
    if (req.method === 'POST' && path === '/invite') {
      const r = await fetch(`${network.pds.url}/xrpc/com.atproto.server.createInviteCode`, {
        method: 'POST',
        headers: { ...network.pds.adminAuthHeaders(), 'content-type': 'application/json' },
        body: JSON.stringify({ useCount: 1 }),
      })
      const body = await r.json()
      return send(res, r.ok ? 200 : 502, body)
    }
    return send(res, 404, { ok: false, error: `no route ${req.method} ${path}` })
  } catch (err) {
    log('control error:', err)
    return send(res, 500, { ok: false, error: String(err?.message ?? err) })
  }
})
server.listen(controlPort, '127.0.0.1', () => log(`control on http://127.0.0.1:${controlPort}`))

let closing = false
const shutdown = async (signal) => {
  if (closing) return
  closing = true
  log(`${signal}: closing`)
  server.close()
  const timer = setTimeout(() => process.exit(0), 5_000)
  timer.unref()
  try {
    await network.close()
  } catch (err) {
    log('close error:', err)
  }
  process.exit(0)
}
process.on('SIGTERM', () => void shutdown('SIGTERM'))
process.on('SIGINT', () => void shutdown('SIGINT'))
