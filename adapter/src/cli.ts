import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { registerServeCommand } from './commands/serve-command.js';
import { registerInstallCommand } from './install/install-command.js';
import { processOutput, type Output } from './output.js';

// Each command's code (and core, the scalers, the server) is imported when that command runs, so
// that `--help` and `--version` load nothing else. Core's entry loads reflect-metadata for inversify.
function adapterVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

const pluginOption = () =>
  // Repeatable rather than variadic, so that `--plugin x file.yaml` does not read file.yaml as a plugin.
  new Option('--plugin <package>', 'an extra scaler plugin package to load, by npm package name or package folder (./my-scaler); repeat it or separate them with commas')
    .env('UPDRAFT_PLUGINS')
    .argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), ...value.split(',').map((s) => s.trim()).filter(Boolean)]);

function parseReplicas(value: string): number {
  const replicas = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(replicas)) throw new InvalidArgumentError('must be a whole number of replicas, 0 or more');
  return replicas;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65535) throw new InvalidArgumentError('must be a port number, 0 to 65535 (0: any free port)');
  return port;
}

function parsePositive(value: string): number {
  const seconds = Number(value.trim().replace(/s$/, ''));
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError('must be a number of seconds greater than 0, e.g. 15 or 15s');
  return seconds;
}

/** Runs the `updraft` command line and resolves to its exit code. Never throws. */
export async function main(argv: readonly string[], out: Output = processOutput): Promise<number> {
  let exitCode = 0;
  const program = new Command('updraft')
    .description('Event-driven autoscaling for Kubernetes: serves KEDA ScaledObjects to the HPA through the external metrics API.')
    .version(adapterVersion(), '-V, --version', 'print the version of updraft')
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.stdout(s.trimEnd()), writeErr: (s) => out.stderr(s.trimEnd()) })
    .showHelpAfterError('(run updraft --help for usage)');

  program
    .command('validate')
    .description(
      'Check ScaledObjects, TriggerAuthentications and the Secrets they use, as `kubectl apply` would see them, before you apply them.\n' +
        'Prints one line per problem (file:line:col: namespace/name: field: message) and exits 1 if there is any error;\n' +
        'otherwise prints "ok: N ScaledObjects, M TriggerAuthentications" and exits 0. Warnings never change the exit code.',
    )
    .argument('<file-or-dir...>', 'YAML or JSON files, or folders to read them from')
    .addOption(pluginOption())
    .action(async (paths: string[], options: { plugin?: string[] }) => {
      const { validate } = await import('./commands/validate.js');
      exitCode = await validate(paths, { plugins: options.plugin ?? [] }, out);
    });

  program
    .command('check')
    .description(
      'Read every trigger of the ScaledObjects once and say what the HPA would do with the values. ' +
        'Loads like serve: a value only a cluster could supply is an error. Prints one row per trigger ' +
        '(namespace/name, trigger, metric name, value, target and metric type, active) and, per ScaledObject, ' +
        'the replica count the HPA would choose and why. Exits 1 if loading finds an error or any trigger fails.',
    )
    .argument('<file-or-dir...>', 'YAML or JSON files, or folders to read them from')
    .option('--current-replicas <n>', "the scale target's replicas the HPA starts from (default: minReplicaCount, at least 1)", parseReplicas)
    .option('--json', 'print {"scaledObjects": [...]} with one entry per trigger, numbers as JSON numbers')
    .addOption(pluginOption())
    .action(async (paths: string[], options: { plugin?: string[]; currentReplicas?: number; json?: boolean }) => {
      const { check } = await import('./commands/check.js');
      exitCode = await check(
        paths,
        {
          plugins: options.plugin ?? [],
          ...(options.currentReplicas !== undefined ? { currentReplicas: options.currentReplicas } : {}),
          ...(options.json ? { json: true } : {}),
        },
        out,
      );
    });

  registerServeCommand(program, pluginOption(), out, (code) => (exitCode = code));

  registerInstallCommand(program, out, (code) => (exitCode = code));

  program
    .command('external-scaler')
    .description(
      "Serve KEDA's external scaler gRPC protocol (externalscaler.proto), so that a KEDA ScaledObject's `type: external` trigger runs any Updraft scaler. " +
        'The trigger\'s metadata names the Updraft trigger type in `scalerType` and holds that trigger\'s metadata; `authenticationRef` (or `clusterAuthenticationRef`) ' +
        'names a TriggerAuthentication in --config. See the adapter README.',
    )
    .option('--config <file-or-dir...>', 'TriggerAuthentications, ClusterTriggerAuthentications, Secrets and ConfigMaps the triggers use (YAML or JSON files or folders)', [])
    .option('--host <address>', 'the address to listen on', '0.0.0.0')
    .option('--port <n>', 'the port to listen on (0: any free port)', parsePort, 9090)
    .option('--polling-interval <seconds>', 'how often each trigger is read in the background; StreamIsActive reports changes found by these reads', parsePositive, 30)
    .addOption(pluginOption())
    .action(async (options: { config: string[]; host: string; port: number; pollingInterval: number; plugin?: string[] }) => {
      const { externalScaler } = await import('./external-scaler/command.js');
      exitCode = await externalScaler(
        { config: options.config, host: options.host, port: options.port, plugins: options.plugin ?? [], pollingIntervalSeconds: options.pollingInterval },
        out,
      );
    });

  program
    .command('schema')
    .description('Print the JSON Schema of a ScaledObject, with the metadata of every loaded trigger type (for editors and kubeconform).')
    .option('--trigger <type>', 'print only the metadata schema of this trigger type')
    .addOption(pluginOption())
    .action(async (options: { plugin?: string[]; trigger?: string }) => {
      const { schema } = await import('./commands/schema.js');
      exitCode = await schema({ plugins: options.plugin ?? [], ...(options.trigger ? { trigger: options.trigger } : {}) }, out);
    });

  program
    .command('new')
    .description('Write a new package from a template.')
    .command('scaler')
    .description(
      'Write a scaler plugin package into <dir>: its declaration, scaler class, module, conformance test, README with the parameter table, ' +
        'ready for npm install, npm test and updraft check --plugin <dir>.',
    )
    .argument('<dir>', 'the folder to write it into, new or empty')
    .requiredOption('--type <trigger-type>', 'the trigger type it serves, lowercase words joined by hyphens (my-queue); the package is updraft-scaler-<trigger-type>')
    .option('--core <path-or-version>', "@updraft/core for its devDependencies: a folder or a version range (default: this checkout's core, as file:)")
    .action(async (dir: string, options: { type: string; core?: string }) => {
      const { newScaler } = await import('./scaffold/new-scaler.js');
      exitCode = await newScaler(dir, options, out);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; usage mistakes exit 2, so that 1 always means "found problems".
      return error.exitCode === 0 ? 0 : 2;
    }
    // One line, never a stack trace; UPDRAFT_DEBUG=1 shows the stack for bug reports.
    out.stderr(`updraft: ${process.env.UPDRAFT_DEBUG ? (error as Error).stack : (error as Error).message}`);
    return 2;
  }
}
