/**
 * The nearest accepted value of a choice flag, checked with generated typos of every choice
 * list the CLI has: one edit away is always recognised (as that value, or one just as close),
 * and nothing far off is ever suggested.
 */
import { describe, test, expect } from '@jest/globals';
import { UsageError } from '../../src/core/errors.js';
import { OUTPUT_FORMATS } from '../../src/core/output.js';
import { choiceHint, editDistance, nearest, parseChoice } from '../../src/core/suggest.js';
import { CLUSTER_TYPES } from '../../src/model/cluster.js';
import { IDENTITY_TYPES } from '../../src/model/extension.js';
import { KIND_FLAGS } from '../../src/model/types.js';
import { prng } from '../helpers/hostile.js';

const LISTS: Record<string, readonly string[]> = {
  '-t/--cluster-type': CLUSTER_TYPES,
  '-o/--output': OUTPUT_FORMATS,
  '--kind': KIND_FLAGS,
  '--scope': ['cluster', 'namespace'],
  '--provider': ['Azure', 'GitHub', 'Generic'],
  '--dry-run': ['cluster', 'arm'],
  '--wait-for': ['provisioned', 'compliant', 'ready'],
  '--identity': IDENTITY_TYPES,
  '--object-kind': ['GitRepository', 'Bucket', 'HelmRepository', 'HelmChart', 'HelmRelease', 'Kustomization', 'OCIRepository'],
};

/** A small deterministic generator (the one the generated-input tests share), so that failures reproduce. */
const random = prng;

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** One random edit: delete, replace, insert a letter, or swap two neighbours. */
function typo(word: string, rnd: () => number): string {
  const at = Math.floor(rnd() * word.length);
  const letter = LETTERS[Math.floor(rnd() * LETTERS.length)]!;
  switch (Math.floor(rnd() * 4)) {
    case 0:
      return word.slice(0, at) + word.slice(at + 1);
    case 1:
      return word.slice(0, at) + letter + word.slice(at + 1);
    case 2:
      return word.slice(0, at) + letter + word.slice(at);
    default:
      return at + 1 < word.length ? word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2) : word + letter;
  }
}

describe('editDistance', () => {
  test.each([
    ['', '', 0],
    ['json', 'json', 0],
    ['jsn', 'json', 1],
    ['josn', 'json', 1], // a swap is one edit
    ['yml', 'yaml', 1],
    ['kitten', 'sitting', 3],
  ])('%s → %s is %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('nearest, with generated typos of every choice list', () => {
  test.each(Object.entries(LISTS))('%s: one edit away is recognised, and only ever a close value is named', (_flag, choices) => {
    const rnd = random(choices.join().length);
    for (const choice of choices) {
      expect(nearest(choice.toUpperCase(), choices)).toBe(choice);
      for (let i = 0; i < 60; i++) {
        const wrong = typo(choice.toLowerCase(), rnd);
        if (choices.some((c) => c.toLowerCase() === wrong)) continue;
        const guess = nearest(wrong, choices);
        // Short words (arm, git, oci) may be one edit from something else just as well.
        if (choice.length >= 4) expect({ wrong, guess: guess !== undefined }).toEqual({ wrong, guess: true });
        if (guess !== undefined) {
          const best = Math.min(...choices.map((c) => editDistance(wrong, c.toLowerCase())));
          const prefixOf = choices.filter((c) => c.toLowerCase().startsWith(wrong));
          expect({ wrong, guess, ok: editDistance(wrong, guess.toLowerCase()) === best || prefixOf.length === 1 }).toEqual({ wrong, guess, ok: true });
        }
      }
    }
  });

  test('random words far from every choice get no guess', () => {
    const rnd = random(7);
    for (const choices of Object.values(LISTS)) {
      for (let i = 0; i < 200; i++) {
        const word = Array.from({ length: 3 + Math.floor(rnd() * 10) }, () => LETTERS[Math.floor(rnd() * 26)]).join('');
        const guess = nearest(word, choices);
        if (guess === undefined) continue;
        const limit = Math.max(1, Math.floor(Math.max(word.length, guess.length) / 3));
        expect({ word, guess, close: editDistance(word, guess.toLowerCase()) <= limit || guess.toLowerCase().startsWith(word) }).toEqual({ word, guess, close: true });
      }
    }
  });

  test('a unique prefix is enough', () => {
    expect(nearest('conn', CLUSTER_TYPES)).toBe('connectedClusters');
    expect(nearest('prov', CLUSTER_TYPES)).toBe('provisionedClusters');
    expect(nearest('yaml', OUTPUT_FORMATS)).toBe('yaml');
    expect(nearest('', OUTPUT_FORMATS)).toBeUndefined();
  });
});

describe('parseChoice and its hint', () => {
  test('the canonical spelling, whatever the case', () => {
    expect(parseChoice('-t/--cluster-type', ' ConnectedClusters ', CLUSTER_TYPES)).toBe('connectedClusters');
  });

  test('a near miss names the flag, the value, the nearest value and every accepted one', () => {
    let err: unknown;
    try {
      parseChoice('-o/--output', 'jsonn', OUTPUT_FORMATS);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).flag).toBe('-o/--output');
    expect((err as UsageError).message).toBe("-o/--output: 'jsonn' is not one of the accepted values.");
    expect((err as UsageError).remedy).toBe(`Did you mean 'json'? Accepted: ${OUTPUT_FORMATS.join(', ')}.`);
  });

  test('no guess when nothing is close', () => {
    expect(choiceHint('xml', OUTPUT_FORMATS)).toBe(`Accepted: ${OUTPUT_FORMATS.join(', ')}.`);
  });
});
