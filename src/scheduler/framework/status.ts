/**
 * Status is what a plugin returns, as upstream's framework.Status: expected outcomes
 * (unschedulable, skip, wait) are values; only real faults throw.
 */
export const Code = {
  Success: 0,
  Error: 1,
  Unschedulable: 2,
  UnschedulableAndUnresolvable: 3,
  Wait: 4,
  Skip: 5,
  Pending: 6,
} as const;
export type Code = (typeof Code)[keyof typeof Code];

const codeNames = ['Success', 'Error', 'Unschedulable', 'UnschedulableAndUnresolvable', 'Wait', 'Skip', 'Pending'];

export class Status {
  /** plugin is the name of the plugin that produced this status (set by the framework). */
  plugin = '';
  constructor(
    readonly code: Code,
    /** reasons are the human readable reasons, aggregated into FailedScheduling messages. */
    readonly reasons: readonly string[] = [],
    readonly error?: Error,
  ) {}

  static success(): Status {
    return SUCCESS;
  }
  static unschedulable(...reasons: string[]): Status {
    return new Status(Code.Unschedulable, reasons);
  }
  static unresolvable(...reasons: string[]): Status {
    return new Status(Code.UnschedulableAndUnresolvable, reasons);
  }
  static skip(): Status {
    return SKIP;
  }
  static wait(): Status {
    return new Status(Code.Wait);
  }
  static error(err: unknown): Status {
    const e = err instanceof Error ? err : new Error(String(err));
    return new Status(Code.Error, [e.message], e);
  }

  isSuccess(): boolean {
    return this.code === Code.Success;
  }
  isSkip(): boolean {
    return this.code === Code.Skip;
  }
  /** isRejected is true for Unschedulable, UnschedulableAndUnresolvable and Pending. */
  isRejected(): boolean {
    return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable || this.code === Code.Pending;
  }
  message(): string {
    return this.reasons.join(', ');
  }
  codeName(): string {
    return codeNames[this.code] ?? String(this.code);
  }
  withPlugin(name: string): Status {
    if (this === SUCCESS || this === SKIP) return this;
    this.plugin = name;
    return this;
  }
  toString(): string {
    return `${this.codeName()}: ${this.message()}`;
  }
}

const SUCCESS = new Status(Code.Success);
const SKIP = new Status(Code.Skip);

/** isSuccess treats undefined as success, so plugins may return nothing on the fast path. */
export const ok = (s: Status | undefined): boolean => s === undefined || s.code === Code.Success;
