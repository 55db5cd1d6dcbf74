#!/usr/bin/env python3
"""Hyperscan's literal prefilter on the matcher benchmark's posts and query terms.

Called by `cargo bench -p tribune-text --bench matcher` (see bench_vs_hyperscan.sh) with two
files it wrote: the posts, folded like tribune folds them, one per line, and the literal
terms of the queries (words, phrase words, #tags, @handles, wildcard prefixes, url: domains),
one per line. Prints one JSON object with the rates:

- per_post: one `Database.scan` call per post, collecting the ids of the terms found (what a
  per-post prefilter written with these bindings does);
Rates are posts per CPU-second of the scanning thread (`time.thread_time`), as on the Rust
side.

- one_block: all posts joined into one buffer and scanned in one call, matches mapped back to
  posts by offset (Hyperscan's engine with the Python overhead per post removed).

Either way this is only the prefilter: which literals occur somewhere, not whole words, not
the boolean queries. The posts are passed already folded, so folding is not timed here.
"""

import bisect
import json
import sys
import time

import hyperscan


def main() -> None:
    posts_path, terms_path = sys.argv[1], sys.argv[2]
    with open(posts_path, "rb") as f:
        posts = f.read().split(b"\n")
    if posts and posts[-1] == b"":
        posts.pop()
    with open(terms_path, "rb") as f:
        terms = [t for t in f.read().split(b"\n") if t]

    start = time.perf_counter()
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    flags = hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SINGLEMATCH
    # Hyperscan takes regular expressions: literals are escaped byte by byte.
    expressions = [b"".join(b"\\x%02x" % b for b in t) for t in terms]
    db.compile(
        expressions=expressions,
        ids=list(range(len(terms))),
        elements=len(terms),
        flags=[flags] * len(terms),
    )
    compile_s = time.perf_counter() - start

    found = set()

    def on_match(term_id, _from, _to, _flags, _context):
        found.add(term_id)
        return False

    # Per post. CPU time of this thread, as the Rust side measures.
    hits = 0
    start = time.thread_time()
    for p in posts:
        found.clear()
        db.scan(p, match_event_handler=on_match)
        hits += len(found)
    per_post_s = time.thread_time() - start

    # One block, matches mapped back to their post.
    block = b"\n".join(posts)
    ends = []
    offset = 0
    for p in posts:
        offset += len(p)
        ends.append(offset)
        offset += 1
    pairs = set()

    def on_block_match(term_id, _from, to, _flags, _context):
        pairs.add((bisect.bisect_left(ends, to - 1), term_id))
        return False

    block_db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    # SINGLEMATCH would report each term once for the whole block: not a per-post answer.
    block_db.compile(
        expressions=expressions,
        ids=list(range(len(terms))),
        elements=len(terms),
        flags=[hyperscan.HS_FLAG_CASELESS] * len(terms),
    )
    start = time.thread_time()
    block_db.scan(block, match_event_handler=on_block_match)
    block_s = time.thread_time() - start

    print(
        json.dumps(
            {
                "posts": len(posts),
                "terms": len(terms),
                "compile_ms": round(compile_s * 1e3, 1),
                "per_post_rate": round(len(posts) / per_post_s),
                "per_post_hits": hits,
                "one_block_rate": round(len(posts) / block_s),
                "one_block_hits": len(pairs),
                "hyperscan": hyperscan.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
