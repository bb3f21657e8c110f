import { SIMULATOR_PATHS } from './paths';

/** Which job to ask about: by integer id or by name. */
export type JobLookup = { readonly id: number | string } | { readonly name: string };

/**
 * Builds a Job Status URL, percent-encoding a name exactly once (`#` becomes `%23`), as the
 * reference page requires. `id` may be a string so tests can send malformed ids.
 *
 * @example
 * jobStatusUrl('http://127.0.0.1:5000', { name: 'MetadataExtraction#1_x' });
 * // http://127.0.0.1:5000/api/v1/bulk_metadata/job/?name=MetadataExtraction%231_x
 */
export function jobStatusUrl(baseUrl: string, lookup: JobLookup): string {
  const query = 'id' in lookup ? `id=${encodeURIComponent(String(lookup.id))}` : `name=${encodeURIComponent(lookup.name)}`;
  return `${baseUrl}${SIMULATOR_PATHS.jobStatus}?${query}`;
}
