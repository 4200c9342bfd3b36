// The kernel's clock ticks per second (USER_HZ), which /proc's CPU times count in.
import { execFileSync } from 'node:child_process';

let ticks;
export function clockTicks() {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}
