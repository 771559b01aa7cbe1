// Runs for about a minute on two raw worker_threads (no pool), writing its pid first so a test
// can check that cancelling the run really ended the process. Each time a worker finishes a task
// (its reply arrives) it rewrites long-raw.progress, synchronously: each worker's threadId and how
// many tasks it has finished. A worker gets its next task only after that, so when the process
// ends each worker has finished the tasks of the last progress written, plus at most the one in flight.
const { Worker, isMainThread, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');

function spinWork(ms) {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  return x;
}

if (isMainThread) {
  fs.writeFileSync(path.join(__dirname, 'long-raw.pid'), String(process.pid));
  const workers = [0, 1].map((i) => new Worker(__filename, { name: `spinner ${i}` }));
  const finished = workers.map(() => 0);
  const progressFile = path.join(__dirname, 'long-raw.progress');
  workers.forEach((w, i) => {
    let sent = 0;
    const next = () => { if (sent++ < 6000) w.postMessage(10); else w.postMessage('done'); };
    w.on('message', () => {
      finished[i]++;
      fs.writeFileSync(progressFile, JSON.stringify(Object.fromEntries(workers.map((x, k) => [x.threadId, finished[k]]))));
      next();
    });
    next();
  });
  console.log('long-raw: started');
} else {
  parentPort.on('message', (m) => {
    if (m === 'done') parentPort.close();
    else parentPort.postMessage(spinWork(m));
  });
}
