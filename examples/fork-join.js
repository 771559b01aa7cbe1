// Recursive divide and conquer with fork-join under work stealing: count the primes below
// LIMIT. A task splits its range in two with ctx.spawn until it is small, then counts;
// idle threads steal the oldest (biggest) pending halves. The answer is checked with a sieve.
const { isMainThread } = require('node:worker_threads');
const { ThreadPool, range } = require('parallel-profiler');

const LIMIT = 3_000_000;
const LEAF = 20_000;

function isPrime(n) {
  if (n < 2) return false;
  if (n % 2 === 0) return n === 2;
  for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
  return true;
}

/** join task over [first, end): split, or count. Spawning tasks return nothing; leaves return their count. */
exports.countPrimes = (first, end, ctx) => {
  if (end - first > LEAF) {
    const mid = Math.floor((first + end) / 2);
    ctx.spawn(first, mid);
    ctx.spawn(mid, end);
    return undefined;
  }
  let count = 0;
  for (let n = first; n < end; n++) if (isPrime(n)) count++;
  return count;
};

function sieveCount(limit) {
  const composite = new Uint8Array(limit);
  let count = 0;
  for (let i = 2; i < limit; i++) {
    if (composite[i]) continue;
    count++;
    for (let j = i * i; j < limit; j += i) composite[j] = 1;
  }
  return count;
}

async function main() {
  const pool = new ThreadPool({ module: __filename });
  const t0 = performance.now();
  const primes = await pool.join('countPrimes', range(0, LIMIT)); // leaf counts are added in range order
  const ms = performance.now() - t0;
  await pool.close();
  const expected = sieveCount(LIMIT);
  if (primes !== expected) throw new Error(`fork-join counted ${primes} primes, the sieve ${expected}`);
  console.log(`fork-join: ${primes} primes below ${LIMIT} (matches a sieve) in ${ms.toFixed(0)} ms (threads=${pool.threads}, steal)`);
}

if (isMainThread) main().catch((e) => { console.error(e); process.exitCode = 1; });
