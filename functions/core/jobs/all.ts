import { ingestJobs } from '../ingest/jobs';
import { joinJobTables, requestJobs } from './registry';

/** Every job, for a runtime that runs them all in one process (Node, and tests). */
export const allJobs = joinJobTables(requestJobs, ingestJobs);
