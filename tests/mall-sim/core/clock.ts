/**
 * Mall time. Rate limits, token lifetimes and the 14-day auto-cancel all read this clock, so a test
 * can run a minute of mall time in a second (`timeScale: 60`) or jump ahead (`advance`).
 */
export class SimClock {
  private readonly realStart = Date.now();
  private readonly mallStart: number;
  private offsetMs = 0;

  constructor(
    public timeScale = 1,
    mallStart = Date.now(),
  ) {
    this.mallStart = mallStart;
  }

  now(): number {
    return this.mallStart + (Date.now() - this.realStart) * this.timeScale + this.offsetMs;
  }

  /** Jump mall time forward (token expiry, auto-cancel deadlines). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** Real milliseconds that correspond to `mallMs` of mall time. */
  toRealMs(mallMs: number): number {
    return mallMs / this.timeScale;
  }
}
