/**
 * The repository templates of `init` (templates/ beside dist/ and src/): reading one, and
 * filling it. In YAML files, scalars tagged `!param NAME` take the value of NAME through the
 * YAML library, so a value is always written as YAML needs (quoted where it must be); every
 * other byte, comments included, is copied as it is.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isScalar, parseAllDocuments, Scalar, visit, type ScalarTag } from 'yaml';

export interface TemplateValues {
  name: string;
  namespace: string;
  url: string;
  branch: string;
}

export interface ScaffoldFile {
  /** Slash-separated, relative to the repository root. */
  path: string;
  content: string;
}

export class TemplateError extends Error {}

/** The templates folder: the nearest `templates/` with a README above this module. */
export function templatesRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'templates');
    if (existsSync(join(candidate, 'README.md'))) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new TemplateError('the templates folder of k8s-gitops is missing from this installation');
    dir = up;
  }
}

export function listTemplates(root = templatesRoot()): string[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

function filesOf(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.isDirectory()) out.push(...filesOf(join(dir, e.name), `${prefix}${e.name}/`));
    else if (e.isFile()) out.push(`${prefix}${e.name}`);
  }
  return out;
}

const PARAM_TAG: ScalarTag = { tag: '!param', resolve: (value) => value };

/** Fills the `!param` scalars of one YAML file. */
export function fillYaml(text: string, values: TemplateValues, where: string): string {
  const docs = parseAllDocuments(text, { customTags: [PARAM_TAG], keepSourceTokens: false });
  return docs
    .map((doc) => {
      if ('empty' in doc) return '';
      if (doc.errors.length > 0) throw new TemplateError(`${where}: ${doc.errors[0]!.message}`);
      visit(doc, {
        Scalar(_key, node) {
          if (node.tag !== '!param') return undefined;
          const name = String(node.value) as keyof TemplateValues;
          if (!Object.hasOwn(values, name)) throw new TemplateError(`${where}: unknown parameter !param ${name}`);
          const filled = new Scalar(values[name]);
          if (node.comment) filled.comment = node.comment;
          return filled;
        },
      });
      let out = doc.toString({ lineWidth: 0 });
      if (!isScalar(doc.contents) && docs.length > 1 && doc !== docs[0] && !out.startsWith('---')) out = `---\n${out}`;
      return out;
    })
    .join('');
}

/** Every file of a template, filled with the values. */
export function renderTemplate(template: string, values: TemplateValues, root = templatesRoot()): ScaffoldFile[] {
  const dir = join(root, template);
  return filesOf(dir).map((path) => {
    const text = readFileSync(join(dir, ...path.split('/')), 'utf8');
    return { path, content: /\.ya?ml$/.test(path) ? fillYaml(text, values, `templates/${template}/${path}`) : text };
  });
}
