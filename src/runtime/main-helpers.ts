// Process plumbing shared by the entry points: parse the configuration, turn
// start-up failures into one line and a non-zero exit, stop cleanly on Ctrl-C.
import { loadConfig, type Config } from '../config.js';

export type Stop = () => Promise<void>;

export async function runMain(start: (config: Config) => Promise<Stop>): Promise<void> {
  let stop: Stop;
  try {
    stop = await start(loadConfig());
  } catch (err) {
    process.stderr.write(`consentline: ${(err as Error).message.split('\n')[0]}\n`);
    process.exit(1);
  }
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`consentline: ${signal} again, exiting now\n`);
      process.exit(130);
    }
    stopping = true;
    process.stderr.write('consentline: stopping…\n');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`consentline: error while stopping: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
