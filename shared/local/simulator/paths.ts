/** Paths the simulator serves. Alation's routes end in `/`; Django does not match them without it. */
export const SIMULATOR_PATHS = {
  jobStatus: '/api/v1/bulk_metadata/job/',
  createAccessToken: '/integration/v1/createAPIAccessToken/',
  validateRefreshToken: '/integration/v1/validateRefreshToken/',
  validateAccessToken: '/integration/v1/validateAPIAccessToken/',
  adminJobs: '/__admin/jobs',
  adminStats: '/__admin/stats',
  adminRotateToken: '/__admin/rotate-token',
} as const;
