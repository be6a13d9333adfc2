import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints the ten slowest test files and tests after a run, so the suite's time has names: a
 * file's time is its imports and setup plus its tests and hooks. Durations are only printed,
 * never asserted (a busy machine is slower, not wrong).
 */
const SHOWN = 10;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1).padStart(6)} s`;

export default class SlowestReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    if (testModules.length < 2) return;
    const root = process.cwd() + '/';
    const files = testModules.map((module) => {
      const d = module.diagnostic();
      return { name: module.moduleId.replace(root, ''), ms: d.collectDuration + d.setupDuration + d.prepareDuration + d.duration, tests: d.duration };
    });
    const tests = testModules.flatMap((module) =>
      [...module.children.allTests()].map((test) => ({ name: `${module.moduleId.replace(root, '')} > ${test.fullName}`, ms: test.diagnostic()?.duration ?? 0 })),
    );
    const lines = [
      '',
      `Slowest ${SHOWN} test files (imports + setup + tests):`,
      ...files.sort((a, b) => b.ms - a.ms).slice(0, SHOWN).map((f) => `  ${seconds(f.ms)}  ${f.name} (tests and hooks ${seconds(f.tests).trim()})`),
      `Slowest ${SHOWN} tests:`,
      ...tests.sort((a, b) => b.ms - a.ms).slice(0, SHOWN).map((t) => `  ${seconds(t.ms)}  ${t.name}`),
      '',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  }
}
