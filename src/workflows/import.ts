// The opt-in half of a bulk import. The upload stored the rows that passed the
// consent checks; this workflow works through them in bounded batches, each
// row through the same opt-in as the API, and closes the job. Durable: an API
// restart or a worker crash mid-import resumes with the rows still waiting.
import { proxyActivities } from '@temporalio/workflow';
import type { CampaignActivities } from '../activities/campaigns.js';

export interface ImportInput {
  jobId: string;
}

const { optInImportRows, finishImport } = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '3 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute' },
});

export async function importWorkflow(input: ImportInput): Promise<void> {
  let remaining = true;
  while (remaining) {
    ({ remaining } = await optInImportRows({ jobId: input.jobId }));
  }
  await finishImport({ jobId: input.jobId });
}
