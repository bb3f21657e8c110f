import { describe, expect, it } from 'vitest';
import { labelTextProblem } from '../../shared/contracts/label-text';
import { safeBlock, safeLine, safeLines } from '../../shared/notify/safe-text';

/**
 * Found by an attacker's review: safe-text.ts used to strip only bidi controls and C0/C1 controls; every other Unicode
 * format control (General_Category Cf) passes through: zero-width space/joiner, word joiner,
 * BOM, soft hyphen, the deprecated format controls U+206A–206F, interlinear annotation
 * U+FFF9–FFFB, Mongolian vowel separator, tag characters U+E0000–E007F. They are invisible
 * in a terminal and in an email, so a job name, kind or Alation text can pose as another one
 * ("prod-lineage" vs "prod\u200B-lineage"), or hide text (tags) in `check`/`tail`/`doctor`
 * output and in email subjects.
 */
const INVISIBLE = ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '\u206A', '\u206E', '\uFFF9', '\u180E', '\u{E0041}'];

describe('human-facing text keeps no invisible format characters', () => {
  for (const c of INVISIBLE) {
    const code = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    it(`removes or shows ${code} in safeLine, safeLines and safeBlock`, () => {
      const spoof = `prod${c}-lineage`;
      for (const out of [safeLine(spoof), safeLines(spoof).join(''), safeBlock(spoof, '  ')]) {
        expect(out).not.toMatch(/\p{Cf}/u);
      }
    });
  }

});

describe('labels refuse invisible format characters', () => {
  it.each(INVISIBLE)('refuses a job name or kind holding U+%s', (c) => {
    expect(labelTextProblem(`prod${c}-lineage`)).toMatch(/invisible format characters/);
  });
});
