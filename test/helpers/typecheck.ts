/** Compiles generated TypeScript as a module of its own (strict, with @types/node) and returns the diagnostics. */
import ts from 'typescript';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export function typecheck(text: string, o: { name?: string; noUnusedLocals?: boolean } = {}): string[] {
  // A virtual file beside the tests, so that module resolution finds node_modules.
  const file = join(root, 'test', 'app', `__lockstep_${o.name ?? 'generated'}__.ts`);
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: ['node'],
    lib: ['lib.es2022.d.ts'],
    skipLibCheck: true,
    ...(o.noUnusedLocals ? { noUnusedLocals: true } : {}),
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (name === file ? ts.createSourceFile(name, text, lang) : getSourceFile(name, lang, ...rest));
  host.fileExists = (name) => name === file || fileExists(name);
  host.readFile = (name) => (name === file ? text : readFile(name));
  return ts.getPreEmitDiagnostics(ts.createProgram([file], options, host)).map((d) => {
    const pos = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    return `${pos ? `${pos.line + 1}:${pos.character + 1} ` : ''}${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}
