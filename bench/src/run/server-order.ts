/**
 * The order servers are measured in during run `run` (1-based): as listed in odd runs, reversed in even ones. The
 * machine drifts during a bench (a load core calibrated at 84,000 rounds/s at a full run's start and 56,000 at its
 * end); with one fixed order, a drift within a run always fell the same way on a pair of servers. Alternating puts
 * each server of every pair first in half of the runs.
 */
export const serverOrder = <S>(servers: readonly S[], run: number): readonly S[] =>
  run % 2 === 1 ? servers : [...servers].reverse()
