/** Public API of the Alation simulator: a local stand-in for Alation's Job Status API. */
export { startAlationSimulator, DEFAULT_ACCESS_TOKEN_TTL_MS, DEFAULT_REFRESH_TOKEN_TTL_MS } from './server';
export type { AlationSimulator, SimulatorOptions } from './server';
export { loadScenario, parseScenario } from './scenario';
export { PRESETS, PRESET_NAMES, RUNNING_BODY, isPresetName } from './presets';
export type { PresetName } from './presets';
export { FAULT_KINDS } from './faults';
export type { FaultKind, FaultOptions, ServerErrorStatus } from './faults';
export { SIMULATOR_PATHS } from './paths';
export { DETAIL_BODIES } from './responses';
export { formatFinishedMessage } from './finishedMessage';
export { SimulatorError, InvalidJobDefinitionError, ScenarioFileError, InvalidSimulatorOptionsError } from './errors';
export type { SimulatorStats } from './stats';
export type { AccessTokenDescription, MintedAccessToken, RefreshTokenDescription, TokenStatus } from './tokenStore';
export { JOB_STATUSES } from './types';
export type {
  AddedJob,
  FinalBodyDefinition,
  JobDefinition,
  JobStatusBody,
  JsonValue,
  KnownJobStatus,
  RecordedRequest,
  RefreshTokenGrant,
} from './types';
export { jobStatusUrl } from './urls';
export type { JobLookup } from './urls';
