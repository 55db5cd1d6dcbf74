// graphile-worker side of scripts/bench-jobs.sh: the same no-op jobs as tribune's benchmark,
// on the same PostgreSQL, in a database of their own. Run from the directory where
// graphile-worker is installed (NODE_PATH). Modes:
//   seed N            add N no-op jobs, due a day ahead (so no worker takes them yet)
//   release SECS      make them all due SECS from now; prints that Unix time
//   work C OUT [Q]    run a worker (concurrency C; local queue of Q jobs if given) until the
//                     queue is empty; writes what it ran to OUT
//   summarize N DUE NAME RESULTS OUT...   merge the workers' files into one result line
"use strict";
const { run, makeWorkerUtils } = require("graphile-worker");
const { Pool } = require("pg");
const fs = require("fs");

const connectionString = process.env.GRAPHILE_DATABASE_URL;
const [mode, ...args] = process.argv.slice(2);

async function seed(n) {
  const utils = await makeWorkerUtils({ connectionString });
  await utils.migrate();
  const runAt = new Date(Date.now() + 24 * 3600 * 1000);
  const chunk = 5000;
  for (let i = 0; i < n; i += chunk) {
    const specs = [];
    for (let j = i; j < Math.min(n, i + chunk); j++) {
      specs.push({ identifier: "noop", payload: { i: j }, runAt });
    }
    await utils.addJobs(specs);
  }
  await utils.release();
}

async function release(secs) {
  const pool = new Pool({ connectionString });
  const due = Math.floor(Date.now() / 1000) + secs;
  await pool.query(
    "update graphile_worker._private_jobs set run_at = to_timestamp($1)",
    [due],
  );
  // As tribune's side does: fresh statistics after rewriting every job's time.
  await pool.query("analyze graphile_worker._private_jobs");
  await pool.end();
  console.log(due);
}

async function work(concurrency, out, localQueue) {
  const ran = [];
  const preset = localQueue
    ? { worker: { localQueue: { size: localQueue }, completeJobBatchDelay: 0 } }
    : undefined;
  const runner = await run({
    connectionString,
    concurrency,
    pollInterval: 100,
    noHandleSignals: true,
    logger: new (require("graphile-worker").Logger)(() => () => {}),
    preset,
    taskList: {
      noop: async (payload, helpers) => {
        ran.push([helpers.job.id, Date.now() - helpers.job.run_at.getTime()]);
      },
    },
  });
  const pool = new Pool({ connectionString, max: 1 });
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const { rows } = await pool.query(
      "select count(*)::int as n from graphile_worker._private_jobs",
    );
    if (rows[0].n === 0) break;
  }
  await runner.stop();
  await pool.end();
  fs.writeFileSync(out, JSON.stringify(ran));
}

function summarize(n, due, name, results, files) {
  const seen = new Set();
  let duplicated = 0;
  const lateness = [];
  for (const file of files) {
    for (const [id, late] of JSON.parse(fs.readFileSync(file, "utf8"))) {
      if (seen.has(id)) duplicated++;
      seen.add(id);
      lateness.push(late);
    }
  }
  lateness.sort((a, b) => a - b);
  const pct = (p) =>
    lateness.length
      ? lateness[Math.min(lateness.length, Math.max(1, Math.ceil((p / 100) * lateness.length))) - 1]
      : 0;
  const last = lateness.length ? lateness[lateness.length - 1] : 0;
  const result = {
    name,
    jobs: n,
    seconds: last / 1000,
    p50_ms: pct(50),
    p99_ms: pct(99),
    max_ms: last,
    lost: Math.max(0, n - seen.size),
    duplicated,
  };
  fs.appendFileSync(results, JSON.stringify(result) + "\n");
  console.error(JSON.stringify(result));
}

(async () => {
  switch (mode) {
    case "seed":
      return seed(Number(args[0]));
    case "release":
      return release(Number(args[0]));
    case "work":
      return work(Number(args[0]), args[1], args[2] ? Number(args[2]) : undefined);
    case "summarize":
      return summarize(Number(args[0]), Number(args[1]), args[2], args[3], args.slice(4));
    default:
      throw new Error(`unknown mode ${mode}`);
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
