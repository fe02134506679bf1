// Preloaded (`node -r`) into the timed `adgen build`: at exit it writes the process's peak
// resident memory (KiB, from its own rusage) to the file named by ADGEN_BENCH_MAXRSS.
const fs = require("node:fs");

process.on("exit", () => {
  const file = process.env.ADGEN_BENCH_MAXRSS;
  if (file) fs.writeFileSync(file, String(process.resourceUsage().maxRSS));
});
