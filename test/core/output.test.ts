import { describe, test, expect } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../../src/core/errors.js';
import {
  OUTPUT_FORMATS,
  compileQuery,
  formatOutput,
  parseOutputFormat,
  type Column,
  type OutputFormat,
} from '../../src/core/output.js';

const ANSI = /\u001b\[[0-9;]*m/g;
const strip = (s: string): string => s.replace(ANSI, '');

const SUB = '/subscriptions/00000000-0000-0000-0000-000000000000';

function fluxConfig(name: string, complianceState: string, suspend = false) {
  return {
    id: `${SUB}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks1/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/${name}`,
    name,
    type: 'Microsoft.KubernetesConfiguration/fluxConfigurations',
    resourceGroup: 'rg-aks',
    scope: 'cluster',
    namespace: name,
    sourceKind: 'GitRepository',
    suspend,
    gitRepository: {
      url: 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt',
      repositoryRef: { branch: 'main', tag: null, semver: null, commit: null },
      syncIntervalInSeconds: 600,
      timeoutInSeconds: 600,
      httpsUser: null,
    },
    kustomizations: {
      infra: { path: './infrastructure', dependsOn: [], prune: true, syncIntervalInSeconds: 600 },
      apps: { path: './apps/staging', dependsOn: ['infra'], prune: true, syncIntervalInSeconds: 600 },
    },
    complianceState,
    provisioningState: 'Succeeded',
    errorMessage: null,
    statuses: [
      {
        name,
        namespace: name,
        kind: 'GitRepository',
        complianceState,
        appliedBy: null,
        statusConditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded', message: 'stored artifact' }],
      },
      {
        name: `${name}-infra`,
        namespace: name,
        kind: 'Kustomization',
        complianceState,
        appliedBy: null,
        statusConditions: [],
      },
    ],
    configurationProtectedSettings: {},
  };
}

const config = fluxConfig('cluster-config', 'Compliant');
const list = [fluxConfig('cluster-config', 'Compliant'), fluxConfig('apps-config', 'Non-Compliant', true)];

const TEXT_FORMATS: OutputFormat[] = ['json', 'jsonc', 'yaml', 'yamlc', 'table', 'tsv'];
const SHAPES: Array<[string, unknown]> = [
  ['a single resource', config],
  ['a list of two', list],
];

function render(data: unknown, format: OutputFormat, extra: Partial<{ query: string; color: boolean; columns: Column[] }> = {}) {
  return formatOutput(data, { format, color: false, ...extra });
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('parseOutputFormat', () => {
  test.each(OUTPUT_FORMATS.flatMap((f) => [f, f.toUpperCase(), ` ${f[0].toUpperCase()}${f.slice(1)} `]))(
    'accepts %p',
    (value) => {
      expect(parseOutputFormat(value)).toBe(value.trim().toLowerCase());
    },
  );

  test.each(['xml', '', 'json5', 'tables'])('rejects %p with a UsageError listing the formats', (value) => {
    const err = catchError(() => parseOutputFormat(value));
    expect(err).toBeInstanceOf(UsageError);
    const usage = err as UsageError;
    expect(usage.exitCode).toBe(2);
    expect(usage.flag).toBe('-o/--output');
    expect(usage.message).toContain('-o/--output');
    expect(usage.message).toContain(`'${value}'`);
    for (const f of OUTPUT_FORMATS) expect(usage.message).toContain(f);
  });

  test('an unchecked bad format given to formatOutput is a UsageError too', () => {
    const err = catchError(() => formatOutput(config, { format: 'xml' as OutputFormat, color: false }));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toContain('-o/--output');
  });
});

describe('compileQuery', () => {
  test.each(['[?complianceState==', 'foo[', 'length(@', '[].name bar', '', 'a.`b'])(
    'a syntax error in %p is a UsageError naming --query',
    (expression) => {
      const err = catchError(() => compileQuery(expression));
      expect(err).toBeInstanceOf(UsageError);
      const usage = err as UsageError;
      expect(usage.exitCode).toBe(2);
      expect(usage.flag).toBe('--query');
      expect(usage.message).toContain('--query');
      expect(usage.message).toContain(`'${expression}'`);
      expect(usage.message).toMatch(/syntax error/i);
    },
  );

  test('the query is validated up front, whatever the format (even none)', () => {
    for (const format of OUTPUT_FORMATS) {
      expect(() => formatOutput(list, { format, color: false, query: '[?name==' })).toThrow(UsageError);
    }
  });

  test('an expression that fails on the data is a UsageError naming --query', () => {
    const err = catchError(() => render(config, 'json', { query: 'length(suspend)' }));
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as UsageError).message).toContain('--query');
    expect((err as UsageError).message).toContain('length');
  });

  test('returns a reusable function', () => {
    const names = compileQuery('[].name');
    expect(names(list)).toEqual(['cluster-config', 'apps-config']);
    expect(names([])).toEqual([]);
    expect(names(undefined)).toBeNull();
  });
});

describe('queries users run', () => {
  test.each<[string, unknown, unknown]>([
    ['[].name', list, ['cluster-config', 'apps-config']],
    [
      "[?complianceState!='Compliant'].{name:name, state:complianceState}",
      list,
      [{ name: 'apps-config', state: 'Non-Compliant' }],
    ],
    ['kustomizations.*.path', config, ['./infrastructure', './apps/staging']],
    ['length(@)', list, 2],
    ['statuses[?kind==`Kustomization`].name | [0]', config, 'cluster-config-infra'],
    ["statuses[?kind=='Kustomization'].name | [0]", config, 'cluster-config-infra'],
    ['[?suspend==`true`].name', list, ['apps-config']],
    ['gitRepository.repositoryRef.branch', config, 'main'],
  ])('%s', (query, data, expected) => {
    expect(JSON.parse(render(data, 'json', { query }))).toEqual(expected);
  });

  test('query results render in every format', () => {
    const query = "[?complianceState!='Compliant'].{name:name, state:complianceState}";
    expect(render(list, 'table', { query })).toBe('Name         State\n-----------  -------------\napps-config  Non-Compliant\n');
    expect(render(list, 'tsv', { query })).toBe('apps-config\tNon-Compliant\n');
    expect(render(list, 'yaml', { query })).toBe('- name: apps-config\n  state: Non-Compliant\n');
    expect(render(list, 'tsv', { query: '[].name' })).toBe('cluster-config\napps-config\n');
    expect(render(list, 'tsv', { query: 'length(@)' })).toBe('2\n');
    expect(render(list, 'table', { query: '[].name' })).toBe('Result\n--------------\ncluster-config\napps-config\n');
    expect(render(config, 'table', { query: 'kustomizations.*.path' })).toBe(
      'Result\n----------------\n./infrastructure\n./apps/staging\n',
    );
  });

  test('a query selecting nothing prints nothing', () => {
    for (const format of TEXT_FORMATS) {
      expect(render(config, format, { query: 'doesNotExist' })).toBe('');
      expect(render(list, format, { query: '[0].errorMessage' })).toBe('');
    }
  });

  test('an empty list from a query prints [] in json/yaml and nothing in table/tsv', () => {
    const query = "[?name=='nope']";
    expect(render(list, 'json', { query })).toBe('[]\n');
    expect(render(list, 'yaml', { query })).toBe('[]\n');
    expect(render(list, 'table', { query })).toBe('');
    expect(render(list, 'tsv', { query })).toBe('');
  });
});

describe.each(SHAPES)('on %s', (_label, data) => {
  test('json is JSON.stringify with 2-space indent', () => {
    expect(render(data, 'json')).toBe(`${JSON.stringify(data, null, 2)}\n`);
  });

  test('jsonc without colour is identical to json', () => {
    expect(render(data, 'jsonc')).toBe(render(data, 'json'));
  });

  test('jsonc with colour has ANSI codes and is JSON once they are stripped', () => {
    const out = formatOutput(data, { format: 'jsonc', color: true });
    expect(out).toContain('\u001b[');
    expect(strip(out)).toBe(render(data, 'json'));
    expect(JSON.parse(strip(out))).toEqual(data);
  });

  test('yaml parses back to the same data, keys in order', () => {
    const out = render(data, 'yaml');
    expect(parseYaml(out)).toEqual(data);
    expect(JSON.stringify(parseYaml(out))).toBe(JSON.stringify(data));
    expect(out.endsWith('\n')).toBe(true);
    expect(out).not.toMatch(/[&*]a\d/); // no anchors/aliases
  });

  test('yamlc: same as yaml without colour; coloured keys only with colour', () => {
    expect(render(data, 'yamlc')).toBe(render(data, 'yaml'));
    const out = formatOutput(data, { format: 'yamlc', color: true });
    expect(out).toContain('\u001b[');
    expect(strip(out)).toBe(render(data, 'yaml'));
  });

  test('no ANSI codes at all when colour is off', () => {
    for (const format of OUTPUT_FORMATS) {
      expect(render(data, format)).not.toContain('\u001b[');
      expect(render(data, format, { query: '@' })).not.toContain('\u001b[');
    }
  });

  test('table: scalar properties only, az-style headers, dashes, no trailing spaces', () => {
    const out = render(data, 'table');
    const lines = out.split('\n');
    expect(out.endsWith('\n')).toBe(true);
    expect(lines[0].split(/ {2,}/)).toEqual([
      'Id',
      'Name',
      'Type',
      'ResourceGroup',
      'Scope',
      'Namespace',
      'SourceKind',
      'Suspend',
      'ComplianceState',
      'ProvisioningState',
      'ErrorMessage',
    ]);
    expect(lines[1]).toMatch(/^-+( {2}-+)*$/);
    const rows = Array.isArray(data) ? data.length : 1;
    expect(lines).toHaveLength(rows + 3); // header, dashes, rows, final ''
    for (const line of lines) expect(line).not.toMatch(/ $/);
    expect(out).not.toMatch(/Kustomizations|Statuses/);
    expect(lines[2]).toContain('False');
  });

  test('tsv: one line per row with scalar values in key order', () => {
    const out = render(data, 'tsv');
    const rows = (Array.isArray(data) ? data : [data]) as Array<ReturnType<typeof fluxConfig>>;
    expect(out.split('\n')).toHaveLength(rows.length + 1);
    const first = out.split('\n')[0].split('\t');
    const c = rows[0];
    expect(first).toEqual([
      c.id,
      c.name,
      c.type,
      c.resourceGroup,
      c.scope,
      c.namespace,
      c.sourceKind,
      'False',
      c.complianceState,
      c.provisioningState,
      '',
    ]);
  });

  test('none prints nothing', () => {
    expect(render(data, 'none')).toBe('');
    expect(render(data, 'none', { query: '[]' })).toBe('');
  });

  test('deterministic: same input gives the same string', () => {
    for (const format of OUTPUT_FORMATS) {
      for (const color of [false, true]) {
        const a = formatOutput(data, { format, color });
        const b = formatOutput(structuredClone(data), { format, color });
        expect(b).toBe(a);
      }
    }
  });
});

describe('table', () => {
  test('exact automatic layout', () => {
    const rows = [
      { name: 'flux', ok: true, version: '1.14.1', nested: { a: 1 }, tags: ['x'] },
      { name: 'cluster-config', ok: false, count: 3, version: null },
    ];
    expect(render(rows, 'table')).toBe(
      [
        'Name            Ok     Version  Count',
        '--------------  -----  -------  -----',
        'flux            True   1.14.1',
        'cluster-config  False           3',
        '',
      ].join('\n'),
    );
  });

  test('custom columns (az table transformers)', () => {
    const columns: Column[] = [
      { header: 'Name', value: (r) => r.name },
      { header: 'Branch', value: (r) => (r.gitRepository as { repositoryRef: { branch: string } }).repositoryRef.branch },
      { header: 'Kustomizations', value: (r) => Object.keys(r.kustomizations as object) },
      { header: 'Suspended', value: (r) => r.suspend },
      { header: 'State', value: (r) => r.complianceState },
    ];
    expect(render(list, 'table', { columns })).toBe(
      [
        'Name            Branch  Kustomizations  Suspended  State',
        '--------------  ------  --------------  ---------  -------------',
        'cluster-config  main    infra, apps     False      Compliant',
        'apps-config     main    infra, apps     True       Non-Compliant',
        '',
      ].join('\n'),
    );
  });

  test('custom columns are ignored when a query changed the shape', () => {
    const columns: Column[] = [{ header: 'Custom', value: (r) => r.name }];
    expect(render(list, 'table', { columns, query: '[].{n:name}' })).toBe('N\n--------------\ncluster-config\napps-config\n');
  });

  test('custom columns are only used by table', () => {
    const columns: Column[] = [{ header: 'Custom', value: (r) => r.name }];
    expect(render(list, 'json', { columns })).toBe(render(list, 'json'));
    expect(render(list, 'tsv', { columns })).toBe(render(list, 'tsv'));
  });

  test('a throwing column accessor gives an empty cell, not a crash', () => {
    const columns: Column[] = [
      { header: 'Name', value: (r) => r.name },
      { header: 'Missing', value: (r) => (r.nope as { x: string }).x },
    ];
    expect(render([{ name: 'a' }], 'table', { columns })).toBe('Name  Missing\n----  -------\na\n');
  });

  test('header colour only with colour on; alignment unchanged', () => {
    const plain = render(list, 'table');
    const coloured = formatOutput(list, { format: 'table', color: true });
    expect(coloured).toContain('\u001b[');
    expect(strip(coloured)).toBe(plain);
    expect(coloured.split('\n').slice(1).join('\n')).toBe(plain.split('\n').slice(1).join('\n'));
  });

  test('long text is not truncated', () => {
    const message = 'kustomization path not found: '.repeat(20);
    const out = render([{ name: 'a', message }], 'table');
    expect(out).toContain(message.trimEnd());
  });

  test('list of lists uses Column1..N', () => {
    expect(render(list, 'table', { query: '[].[name, complianceState]' })).toBe(
      [
        'Column1         Column2',
        '--------------  -------------',
        'cluster-config  Compliant',
        'apps-config     Non-Compliant',
        '',
      ].join('\n'),
    );
  });

  test('line breaks inside a cell do not break the layout', () => {
    expect(render([{ a: 'x\ny', b: 1 }], 'table')).toBe('A    B\n---  -\nx y  1\n');
  });

  test('an empty list prints nothing', () => {
    expect(render([], 'table')).toBe('');
    expect(render([], 'table', { columns: [{ header: 'Name', value: (r) => r.name }] })).toBe('');
  });
});

describe('tsv', () => {
  test('scalars print as themselves', () => {
    expect(render('abc', 'tsv')).toBe('abc\n');
    expect(render(42, 'tsv')).toBe('42\n');
    expect(render(true, 'tsv')).toBe('True\n');
    expect(render(false, 'tsv')).toBe('False\n');
    expect(render(['a', 1, null, false], 'tsv')).toBe('a\n1\n\nFalse\n');
  });

  test('nested values are skipped; tabs and newlines in values become spaces', () => {
    expect(render({ a: 'x\ty', b: { c: 1 }, d: [1], e: 'p\nq', f: null }, 'tsv')).toBe('x y\tp q\t\n');
  });
});

describe('yaml', () => {
  test('long values are never folded', () => {
    const url = `https://example.com/${'segment/'.repeat(40)}repo.git`;
    const b64 = Buffer.from('x'.repeat(900)).toString('base64');
    const data = { url, caCert: b64, note: `${'word '.repeat(60)}end` };
    const out = render(data, 'yaml');
    expect(out.split('\n')).toHaveLength(4);
    expect(out).toContain(`url: ${url}\n`);
    expect(out).toContain(`caCert: ${b64}\n`);
    expect(parseYaml(out)).toEqual(data);
  });

  test('undefined values are dropped as JSON does', () => {
    const data = { a: 1, b: undefined, c: [1, undefined], d: { e: undefined } };
    expect(render(data, 'yaml')).toBe('a: 1\nc:\n  - 1\n  - null\nd: {}\n');
    expect(render(data, 'json')).toBe(`${JSON.stringify(data, null, 2)}\n`);
    expect(render(data, 'tsv')).toBe('1\n');
  });

  test('strings that look like other types round-trip', () => {
    const data = { a: 'true', b: '600', c: 'null', d: '', e: 'key: value', f: '- item', g: '0x1F', h: 'yes' };
    expect(parseYaml(render(data, 'yaml'))).toEqual(data);
  });

  test('yamlc colours keys but never text inside a block scalar', () => {
    const data = { script: 'first: line\nsecond: line\n', name: 'x' };
    const out = formatOutput(data, { format: 'yamlc', color: true });
    expect(strip(out)).toBe(render(data, 'yaml'));
    expect(parseYaml(strip(out))).toEqual(data);
    const colouredLines = out.split('\n').filter((l) => l.includes('\u001b['));
    expect(colouredLines.map(strip)).toEqual(['script: |', 'name: x']);
  });
});

describe('jsonc colour', () => {
  test('keys, strings, numbers and literals are coloured differently; digits inside strings are not', () => {
    const out = formatOutput({ key: 'v1 true 42', n: 42, t: true, z: null }, { format: 'jsonc', color: true });
    const keyCode = out.match(/(\u001b\[[0-9;]*m)"key"/)?.[1];
    const strCode = out.match(/(\u001b\[[0-9;]*m)"v1 true 42"/)?.[1];
    const numCode = out.match(/(\u001b\[[0-9;]*m)42\u001b/)?.[1];
    const litCode = out.match(/(\u001b\[[0-9;]*m)true\u001b/)?.[1];
    expect(new Set([keyCode, strCode, numCode, litCode]).size).toBe(4);
    expect(out).toMatch(/\u001b\[[0-9;]*mnull\u001b/);
    expect(out).toContain('"v1 true 42"');
  });
});

describe('empty and odd inputs', () => {
  test.each([null, undefined])('%p prints nothing in every format', (data) => {
    for (const format of OUTPUT_FORMATS) expect(render(data, format)).toBe('');
  });

  test('scalars in json and yaml', () => {
    expect(render('abc', 'json')).toBe('"abc"\n');
    expect(render(0, 'json')).toBe('0\n');
    expect(render(false, 'yaml')).toBe('false\n');
    expect(render([], 'json')).toBe('[]\n');
    expect(render({}, 'json')).toBe('{}\n');
  });

  const circular: Record<string, unknown> = { name: 'loop' };
  circular.self = circular;
  const odd: Array<[string, unknown]> = [
    ['empty object', {}],
    ['empty array', []],
    ['nested empty', { a: {}, b: [], c: [[]] }],
    ['array of mixed', [1, 'two', null, true, { a: 1 }, [1, 2]]],
    ['unicode and control chars', { 'ключ': 'значение ✓', tab: 'a\tb', nl: 'a\r\nb', quote: '"\\' }],
    ['Date', { at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) }],
    ['non-finite numbers', { a: NaN, b: Infinity, c: -0 }],
    ['bigint', { big: 10n, huge: 2n ** 70n }],
    ['functions and symbols', { f: () => 1, s: Symbol('x'), ok: 1 }],
    ['__proto__ key', JSON.parse('{"__proto__": {"x": 1}, "y": 2}')],
    ['circular', circular],
    ['deep', { a: { b: { c: { d: { e: { f: [1, [2, [3]]] } } } } } }],
  ];

  test.each(odd)('%s never throws', (_label, data) => {
    for (const format of OUTPUT_FORMATS) {
      for (const color of [false, true]) {
        expect(() => formatOutput(data, { format, color })).not.toThrow();
        expect(() => formatOutput(data, { format, color, query: '@' })).not.toThrow();
      }
    }
  });

  test('Date and non-finite numbers follow JSON', () => {
    expect(JSON.parse(render({ at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)), n: NaN }, 'json'))).toEqual({
      at: '2024-01-02T03:04:05.000Z',
      n: null,
    });
    expect(render({ at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) }, 'yaml')).toBe('at: 2024-01-02T03:04:05.000Z\n');
  });

  test('a __proto__ key is kept as data', () => {
    const data = JSON.parse('{"__proto__": {"x": 1}, "y": 2}');
    expect(render(data, 'json')).toBe(`${JSON.stringify(data, null, 2)}\n`);
  });

  test('output ends with a newline unless empty', () => {
    for (const format of TEXT_FORMATS) {
      for (const data of [config, list, 'x', 1, [1]]) {
        const out = render(data, format);
        expect(out.endsWith('\n')).toBe(true);
        expect(out.endsWith('\n\n')).toBe(false);
      }
    }
  });
});
