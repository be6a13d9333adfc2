// `npm run bench:redaction`: precision and recall of the personal-data redactor on a labeled
// Spanish/English set (scripts/fixtures/redaction-set.ts), per kind and overall (target ≥ 0.95).
// A found span counts as right when its kind and its exact text match a labeled one.
import { findPii, PII_KINDS } from '../functions/core/privacy/redact';
import { parseLabeled, REDACTION_HELD_OUT, REDACTION_SET } from './fixtures/redaction-set';

function evaluate(name: string, lines: string[]) {
  const counts = Object.fromEntries(PII_KINDS.map((k) => [k, { tp: 0, fp: 0, fn: 0 }]));
  const mistakes: string[] = [];
  for (const line of lines) {
    const { text, spans } = parseLabeled(line);
    const expected = spans.map((s) => `${s.kind}:${s.value}`);
    const found = findPii(text).map((s) => `${s.kind}:${text.slice(s.start, s.end)}`);
    for (const f of found) {
      const kind = f.split(':')[0]!;
      const i = expected.indexOf(f);
      if (i >= 0) {
        counts[kind]!.tp++;
        expected.splice(i, 1);
      } else {
        counts[kind]!.fp++;
        mistakes.push(`  false positive ${f}  in: ${text}`);
      }
    }
    for (const e of expected) {
      counts[e.split(':')[0]!]!.fn++;
      mistakes.push(`  missed ${e}  in: ${text}`);
    }
  }

  const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
  const total = { tp: 0, fp: 0, fn: 0 };
  console.log(`\n${name}: ${lines.length} labeled lines (es/en)`);
  console.log('kind     precision  recall   (tp/fp/fn)');
  for (const kind of PII_KINDS) {
    const c = counts[kind]!;
    total.tp += c.tp;
    total.fp += c.fp;
    total.fn += c.fn;
    console.log(`${kind.padEnd(8)} ${ratio(c.tp, c.tp + c.fp).toFixed(3).padStart(9)}  ${ratio(c.tp, c.tp + c.fn).toFixed(3).padStart(6)}   (${c.tp}/${c.fp}/${c.fn})`);
  }
  const precision = ratio(total.tp, total.tp + total.fp);
  const recall = ratio(total.tp, total.tp + total.fn);
  console.log(`${'all'.padEnd(8)} ${precision.toFixed(3).padStart(9)}  ${recall.toFixed(3).padStart(6)}   (${total.tp}/${total.fp}/${total.fn})   target ≥ 0.95 both: ${precision >= 0.95 && recall >= 0.95 ? 'met' : 'NOT met'}`);
  if (mistakes.length > 0) console.log(`mistakes:\n${mistakes.join('\n')}`);
}

evaluate('tuning set (the redactor was adjusted on it)', REDACTION_SET);
evaluate('held-out set (never used for tuning: the honest figure)', REDACTION_HELD_OUT);
