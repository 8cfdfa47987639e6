/**
 * Everything a grading run starts that must not outlive it (sandboxes, judges, kernels run without
 * a sandbox), so that a signal can stop it all before the grader writes its reports and exits.
 */
const live = new Set<() => Promise<void>>();
let stopping = false;

/** Registers `stop`; call the returned function once the thing has ended on its own. Once everything is being stopped, a newcomer is stopped at once. */
export function track(stop: () => Promise<void>): () => void {
  if (stopping) void stop().catch(() => undefined);
  live.add(stop);
  return () => live.delete(stop);
}

/** True once everything is being stopped: start nothing new. */
export function stoppingEverything(): boolean {
  return stopping;
}

export async function stopEverything(): Promise<void> {
  stopping = true;
  await Promise.all([...live].map((stop) => stop().catch(() => undefined)));
}
