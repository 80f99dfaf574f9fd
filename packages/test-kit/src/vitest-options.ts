/**
 * The vitest options every package's tests run with. No test or hook races the wall clock: a
 * busy machine makes a run slower, never failed — tests wait on events, and scale the work, not
 * a timeout (CONTRIBUTING.md).
 */
export const testOptions = {
  include: ["test/**/*.test.ts"],
  testTimeout: 0,
  hookTimeout: 0,
};
