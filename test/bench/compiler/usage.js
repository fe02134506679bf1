// Preloaded (`node -r`) into the timed `adgen build`: at exit it writes, as JSON to the file named
// by ADGEN_BENCH_USAGE, the process's peak resident memory (KiB) and the CPU time of all its
// threads (seconds), both from its own rusage.
const fs = require("node:fs");

process.on("exit", () => {
  const file = process.env.ADGEN_BENCH_USAGE;
  if (!file) return;
  const { maxRSS, userCPUTime, systemCPUTime } = process.resourceUsage();
  fs.writeFileSync(file, JSON.stringify({ maxRSS, cpuSeconds: (userCPUTime + systemCPUTime) / 1e6 }));
});
