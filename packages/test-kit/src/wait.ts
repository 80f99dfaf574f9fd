/**
 * Resolves once `condition()` holds, checking it again after each turn of the event loop's timer
 * phase. There is no deadline: a slow or busy machine makes the wait longer, never a failure
 * (a condition that never comes hangs the test, which then shows what it waited for).
 */
export async function until(condition: () => boolean, what: string): Promise<void> {
  let checks = 0;
  while (!condition()) {
    checks++;
    if (checks % 1000 === 0) console.warn(`still waiting for ${what} (${checks} checks)`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
