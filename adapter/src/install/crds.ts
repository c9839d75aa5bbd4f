import { readdir, readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { TriggerIndex } from '@updraft/core/manifests';
import { customResourceDefinitions } from '../cluster/crds.js';
import type { KubeObject } from './kube-object.js';

/**
 * The keda.sh CustomResourceDefinitions, in file-name order: made as `npm run crds` makes deploy/crds
 * (cluster/crds.test.ts keeps the two equal), so an installed package needs no copy of that folder;
 * or, given `dir`, read from its YAML files.
 */
export async function readCrds(dir?: string): Promise<KubeObject[]> {
  const sources = dir === undefined ? generatedCrds() : await crdFiles(dir);
  const crds: KubeObject[] = [];
  for (const { file, yaml } of sources) {
    for (const document of parseAllDocuments(yaml)) {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message}`);
      const object = document.toJS() as KubeObject | null;
      if (object?.kind === 'CustomResourceDefinition') crds.push(object);
    }
  }
  return crds;
}

function generatedCrds(): { file: string; yaml: string }[] {
  // The CRDs hold no trigger metadata (see cluster/crds.ts): no scaler, and no container, is needed.
  return customResourceDefinitions(new TriggerIndex([])).sort((a, b) => (a.file < b.file ? -1 : 1));
}

async function crdFiles(dir: string): Promise<{ file: string; yaml: string }[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((file) => /\.ya?ml$/.test(file)).sort();
  } catch (error) {
    throw new Error(`cannot read the CRDs in ${dir}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (error as Error).message}`);
  }
  if (files.length === 0) throw new Error(`no CRDs in ${dir}`);
  return Promise.all(files.map(async (file) => ({ file: `${dir}/${file}`, yaml: await readFile(`${dir}/${file}`, 'utf8') })));
}
