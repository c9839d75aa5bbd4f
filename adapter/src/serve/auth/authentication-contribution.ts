import { inject, injectable } from 'inversify';
import { Readiness } from '../readiness.js';
import type { ServeContribution } from '../serve-application.js';
import { AuthenticationConfigSource } from './authentication-config.js';

/** Reads the client CAs before the server starts (and keeps reading them); their problems show on /readyz. */
@injectable()
export class AuthenticationContribution implements ServeContribution {
  readonly name = 'client certificate authorities';

  constructor(
    @inject(AuthenticationConfigSource) private readonly config: AuthenticationConfigSource,
    @inject(Readiness) private readonly readiness: Readiness,
  ) {}

  async start(): Promise<void> {
    this.readiness.add({
      name: 'authentication',
      check: () => {
        const problem = this.config.currentProblem();
        return { ok: true, problems: problem ? [problem] : [] };
      },
    });
    await this.config.start();
  }

  async stop(): Promise<void> {
    this.config.stop();
  }
}
