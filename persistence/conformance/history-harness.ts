import { suite, type Test } from 'uvu'

/**
 * Shared plumbing of the history conformance suites (versions, templates, comments). The factory runs in the
 * first test (uvu 0.5 silently drops failures of `before` hooks) and may return null when its service is not
 * reachable and not required: every test of that suite then passes as a logged skip. No top-level await needed.
 */
export interface SuiteHandle<H> {
  readonly test: Test
  /** Wraps a test body: runs it with the harness, or skips when the adapter is unavailable. */
  readonly withHarness: (body: (harness: H) => Promise<void>) => () => Promise<void>
}

export interface DisposableHarness {
  dispose(): Promise<void>
}

export function harnessSuite<H extends DisposableHarness>(
  title: string,
  factory: () => Promise<H | null>,
): SuiteHandle<H> {
  const test = suite(title)
  let state: { kind: 'pending' } | { kind: 'skipped' } | { kind: 'ready'; harness: H } = { kind: 'pending' }

  test('harness starts', async () => {
    const harness = await factory()
    if (harness === null) {
      console.warn(`skipping ${title}: its service is not available`)
      state = { kind: 'skipped' }
      return
    }
    state = { kind: 'ready', harness }
  })

  test.after(async () => {
    if (state.kind === 'ready') await state.harness.dispose()
  })

  const withHarness = (body: (harness: H) => Promise<void>) => async () => {
    switch (state.kind) {
      case 'skipped':
        return
      case 'pending':
        throw new Error('the harness did not start (see the first failure)')
      case 'ready':
        await body(state.harness)
        return
      default: {
        const never: never = state
        throw new Error(`unknown harness state ${JSON.stringify(never)}`)
      }
    }
  }
  return { test, withHarness }
}

/** A settable clock for adapters that stamp rows with "now". */
export class TestClock {
  private current: Date

  constructor(start = new Date('2024-01-15T10:30:00.000Z')) {
    this.current = start
  }

  readonly now = (): Date => new Date(this.current.getTime())

  set(date: Date): void {
    this.current = new Date(date.getTime())
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms)
  }
}

export async function assertRejects(
  work: () => Promise<unknown>,
  type: new (...args: never[]) => Error,
  pattern: RegExp,
): Promise<void> {
  let caught: unknown = null
  try {
    await work()
  } catch (error) {
    caught = error
  }
  if (!(caught instanceof type) || !pattern.test(caught.message)) {
    throw new Error(`expected a ${type.name} matching ${pattern}, got ${String(caught)}`)
  }
}
