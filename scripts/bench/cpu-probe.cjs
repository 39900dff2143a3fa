// Preloaded with `node --require` into every process the benchmark times, bare node included:
// at exit, writes the process's own CPU time (user and system, all threads, in microseconds) to
// file descriptor 3, which the benchmark reads. A child's CPU time is not otherwise available
// to a Node parent at better than 10 ms resolution.
'use strict';
process.on('exit', () => {
  try {
    require('node:fs').writeSync(3, JSON.stringify(process.cpuUsage()));
  } catch {
    // fd 3 not open: not run by the benchmark
  }
});
