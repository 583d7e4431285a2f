/**
 * resource.Quantity as upstream's k8s.io/apimachinery/pkg/api/resource: parse `100m`, `1.5Gi`,
 * `2e3`, compare, add, and print in canonical form.
 *
 * TEMPORARY STUB (signatures are the contract; the selectors/printers work replaces the body).
 */
export class Quantity {
  private constructor(private readonly milli: number) {}

  /** parse throws an Error with upstream's message for malformed input. */
  static parse(s: string | number): Quantity {
    return new Quantity(typeof s === 'number' ? s * 1000 : Number.parseFloat(s) * 1000);
  }

  /** milliValue is the value in thousandths, rounded up (cpu `100m` → 100). */
  milliValue(): number {
    return Math.ceil(this.milli);
  }

  /** value is the value rounded up to an integer (memory `1Ki` → 1024). */
  value(): number {
    return Math.ceil(this.milli / 1000);
  }

  cmp(other: Quantity): -1 | 0 | 1 {
    return this.milli < other.milli ? -1 : this.milli > other.milli ? 1 : 0;
  }

  add(other: Quantity): Quantity {
    return new Quantity(this.milli + other.milli);
  }

  sub(other: Quantity): Quantity {
    return new Quantity(this.milli - other.milli);
  }

  isZero(): boolean {
    return this.milli === 0;
  }

  /** toString prints the canonical form (`100m`, `1Gi`, `2k`). */
  toString(): string {
    return String(this.milli / 1000);
  }
}

export const parseQuantity = (s: string | number): Quantity => Quantity.parse(s);
