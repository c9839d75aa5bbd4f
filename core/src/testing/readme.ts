import { readFile } from 'node:fs/promises';
import { Container, type ContainerModule } from 'inversify';
import { coreModule } from '../core-module.js';
import { PARAMETER_TABLE_END, PARAMETER_TABLE_START, renderScalerTables } from '../metadata/docs.js';
import { ScalerRegistry } from '../scaler-registry.js';

/** The factories one scaler module contributes, in a container of its own. */
export function factoriesOf(module: ContainerModule) {
  const container = new Container();
  container.load(coreModule, module);
  return container.get<ScalerRegistry>(ScalerRegistry).factories();
}

/** The generated block a README should hold for a module, and the block it holds now. */
export async function readmeTables(module: ContainerModule, readmePath: string): Promise<{ expected: string; actual: string }> {
  const readme = await readFile(readmePath, 'utf8');
  const start = readme.indexOf(PARAMETER_TABLE_START);
  const end = readme.indexOf(PARAMETER_TABLE_END);
  const actual = start < 0 || end < start ? '' : readme.slice(start + PARAMETER_TABLE_START.length, end).trim();
  return { expected: renderScalerTables(factoriesOf(module)).trim(), actual };
}
