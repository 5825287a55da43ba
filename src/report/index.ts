import type { LintResult } from '../lint/lint.js';
import { renderText } from './text.js';
import { renderJson } from './json.js';
import { renderGithub } from './github.js';
import { renderSarif } from './sarif.js';

export const lintFormats = ['text', 'json', 'github', 'sarif'] as const;
export type LintFormat = (typeof lintFormats)[number];

export interface RenderOptions {
  color: boolean;
}

export type Renderer = (r: LintResult, o: RenderOptions) => string;

export const lintRenderers: Record<LintFormat, Renderer> = {
  text: (r, o) => renderText(r, o),
  json: (r) => renderJson(r),
  github: (r) => renderGithub(r),
  sarif: (r) => renderSarif(r),
};
