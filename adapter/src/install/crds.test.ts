import { expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { readCrds } from './crds.js';

it('the CRDs install makes are those of deploy/crds, in file-name order', async () => {
  const checkedIn = await readCrds(fileURLToPath(new URL('../../../deploy/crds', import.meta.url)));
  expect(checkedIn.map((crd) => crd.metadata.name)).toEqual(['clustertriggerauthentications.keda.sh', 'scaledobjects.keda.sh', 'triggerauthentications.keda.sh']);
  expect(await readCrds()).toEqual(checkedIn);
});

it('a folder that is not there is named in the error', async () => {
  await expect(readCrds('/nonexistent/crds')).rejects.toThrow('cannot read the CRDs in /nonexistent/crds: no such folder');
});
