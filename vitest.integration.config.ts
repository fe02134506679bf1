// `npm run test:integration`: adgen packed and installed into a project with the real
// bundlers, Node's loader and tspc (test/integration/); CI runs it after `npm test`.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/integration/**/*.test.ts"],
    globalSetup: ["test/integration/setup.ts"],
    testTimeout: 180_000,
    hookTimeout: 900_000,
    fileParallelism: false,
  },
});
