import { injectable } from 'inversify';

/** One readiness check: failing makes /readyz answer 500; problems are listed either way. */
export interface ReadinessCheck {
  readonly name: string;
  check(): { readonly ok: boolean; readonly problems: readonly string[] };
}

/**
 * /healthz, /livez and /readyz, as the apiserver writes them (`[+]name ok`, `... check passed`),
 * with the problems of each check listed under it. Broken ScaledObject files do not fail /readyz:
 * the last good version of each object is served, and taking the pod out of its Service would stop
 * every metric, not just the broken one.
 */
@injectable()
export class Readiness {
  private readonly checks: ReadinessCheck[] = [];
  private shuttingDown = false;

  add(check: ReadinessCheck): void {
    this.checks.push(check);
  }

  /** From now on /readyz fails, so that the Service stops sending requests before the server closes. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  live(verbose: boolean): { code: number; body: string } {
    return { code: 200, body: verbose ? '[+]ping ok\nhealthz check passed\n' : 'ok' };
  }

  ready(verbose: boolean): { code: number; body: string } {
    const lines = ['[+]ping ok', this.shuttingDown ? '[-]shutdown failed: the server is shutting down' : '[+]shutdown ok'];
    let ok = !this.shuttingDown;
    let problems = 0;
    for (const check of this.checks) {
      let result: ReturnType<ReadinessCheck['check']>;
      try {
        result = check.check();
      } catch (error) {
        result = { ok: false, problems: [(error as Error).message] };
      }
      ok &&= result.ok;
      problems += result.problems.length;
      const count = result.problems.length === 1 ? '1 problem' : `${result.problems.length} problems`;
      lines.push(result.problems.length === 0 ? `[${result.ok ? '+' : '-'}]${check.name} ${result.ok ? 'ok' : 'failed'}` : `[${result.ok ? '+' : '-'}]${check.name} ${result.ok ? 'ok' : 'failed'} (${count}):`);
      for (const problem of result.problems) lines.push(`    ${problem}`);
    }
    lines.push(ok ? 'readyz check passed' : 'readyz check failed');
    if (ok && problems === 0 && !verbose) return { code: 200, body: 'ok' };
    return { code: ok ? 200 : 500, body: `${lines.join('\n')}\n` };
  }
}
