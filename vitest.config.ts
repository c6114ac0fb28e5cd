import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], sequence: { groupOrder: 0 } } },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Each file starts its own servers; two cores, so keep the fan-out small.
          maxWorkers: 2,
          // Unit tests first (fast feedback), then the e2e files.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
