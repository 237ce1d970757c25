import { dropNamespace, type Target } from '../targets.ts';

/** What every scenario needs: where scratch files go, which Node runs what, fresh namespaces. */
export interface BenchContext {
  scratchDir: string;
  /** The node binary for each Node choice of a target. */
  nodes: Record<Target['node'], string>;
  /** A new namespace (schema, key prefix, file name), unique to this run of the bench. */
  namespace(): string;
  timeoutMs: number;
  /**
   * Fills a namespace with `jobs` queued jobs and `delayed` ones due in an hour, untimed, in the
   * target's long-lived filler process (one spawn per target, not one per fill). Answers the ms it took.
   */
  fill(target: Target, namespace: string, jobs: number, delayed: number): Promise<number>;
}

/** Runs `use` on fresh namespaces of `target`, and drops them afterwards whatever happens. */
export async function withNamespaces<T>(
  context: BenchContext,
  target: Target,
  count: number,
  use: (namespaces: string[]) => Promise<T>,
): Promise<T> {
  const namespaces = Array.from({ length: count }, () => context.namespace());
  try {
    return await use(namespaces);
  } finally {
    for (const namespace of namespaces) await dropNamespace(target, namespace, context.scratchDir);
  }
}
