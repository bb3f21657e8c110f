/**
 * A seeded pseudo-random source: the same seed gives the same workload and the same jitter
 * on every machine, so polling numbers are comparable between runs. The simulator's
 * mulberry32, so the project has one.
 */
export { createRandom as seededRandom } from '../../../shared/local/simulator/random';
