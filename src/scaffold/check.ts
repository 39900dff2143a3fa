/**
 * The configuration files of a template pass the model exactly as `flux config create -f` will
 * read them, so init never writes a file that create would refuse (a bad --url is refused here,
 * with create's own message).
 */
import { UsageError } from '../core/errors.js';
import { buildFluxConfiguration } from '../model/flux-config.js';
import type { InputReader } from '../model/input.js';
import { KUSTOMIZATION_FLAG } from '../model/kustomization.js';
import type { ScaffoldFile } from './templates.js';

export function isConfigurationFile(path: string): boolean {
  return /^clusters\/[^/]+\.ya?ml$/.test(path);
}

export function checkConfigurationFiles(files: readonly ScaffoldFile[], input: InputReader): void {
  for (const file of files.filter((f) => isConfigurationFile(f.path))) {
    try {
      buildFluxConfiguration({ file: file.path }, { ...input, readFile: () => file.content });
    } catch (caught) {
      // A rule broken by a value of the file is reported against the file; here the file was
      // written from init's flags, so the rule's own error (naming the flag) is the one to give.
      const err = caught instanceof UsageError && caught.cause instanceof UsageError ? caught.cause : caught;
      // The template's kustomizations are not the user's: a name they do not fit is --name's problem.
      if (err instanceof UsageError && err.flag === KUSTOMIZATION_FLAG) {
        throw new UsageError('-n/--name', err.message.slice(`${KUSTOMIZATION_FLAG}: `.length), `Shorten --name: ${file.path} appends its kustomization names to it.`);
      }
      throw err;
    }
  }
}
