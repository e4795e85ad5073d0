import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["shared/**/*.test.ts", "firmware/**/*.test.ts", "host/**/*.test.ts", "bench/**/*.test.ts", "hil-tests/**/*.test.ts", "boards/**/*.test.ts"],
    globalSetup: ["host/testing/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
  },
});
