// A Node module resolution hook (module.register) that loadPlugins installs: a plugin installed
// with `npm install ../dir` or `npm link` is a symlink, and Node resolves its imports from the
// real folder, where the host's peers (@updraft/core, inversify) are not installed. When such an
// import fails, it is resolved again from the host, so the plugin shares the host's one copy.

interface ResolveContext {
  readonly parentURL?: string;
  readonly [key: string]: unknown;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<unknown>;

let hostURL: string | undefined;

/** `data.hostURL`: a module URL the peers resolve from (core's own plugin-loader). */
export function initialize(data: { hostURL: string }): void {
  hostURL = data.hostURL;
}

function isPeer(specifier: string): boolean {
  return specifier === 'inversify' || specifier === 'reflect-metadata' || specifier.startsWith('@updraft/') || specifier.startsWith('inversify/');
}

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<unknown> {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (!hostURL || !isPeer(specifier) || (error as { code?: unknown }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    return next(specifier, { ...context, parentURL: hostURL });
  }
}
