/**
 * Errors the simulator throws at its callers. HTTP clients never see these: they get Alation-shaped
 * `{"detail": ...}` bodies instead.
 */

/** Base class so callers can catch every simulator error with one `instanceof`. */
export class SimulatorError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SimulatorError';
  }
}

/**
 * A job definition (from a scenario file, `POST /__admin/jobs` or `addJob`) is malformed or
 * clashes with a job that already exists. `field` names the offending field, e.g. `jobs.2.preset`.
 */
export class InvalidJobDefinitionError extends SimulatorError {
  public readonly field: string;

  public constructor(field: string, message: string, options?: { cause?: unknown }) {
    super(`${field}: ${message}`, options);
    this.name = 'InvalidJobDefinitionError';
    this.field = field;
  }
}

/** A scenario file could not be read or is not JSON. `path` is the file that failed. */
export class ScenarioFileError extends SimulatorError {
  public readonly path: string;

  public constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(`${path}: ${message}`, options);
    this.name = 'ScenarioFileError';
    this.path = path;
  }
}

/** Simulator options are inconsistent (a rate outside 0..1, an inverted latency range...). */
export class InvalidSimulatorOptionsError extends SimulatorError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidSimulatorOptionsError';
  }
}
