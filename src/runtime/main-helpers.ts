// Process plumbing shared by the entry points: parse the configuration, turn
// start-up failures into one line and a non-zero exit, stop cleanly on Ctrl-C.
import { loadConfig, type Config } from '../config.js';

export type Stop = () => Promise<void>;

export async function runMain(start: (config: Config) => Promise<Stop>): Promise<void> {
  let stop: Stop | null = null;
  let stopRequested = false;
  let stopping = false;

  const stopNow = (s: Stop) => {
    s().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`consentline: error while stopping: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };

  // Handlers go in before start-up, so a Ctrl-C while starting still stops
  // cleanly (once start-up has finished) instead of killing the process.
  // Every step of `stop` is bounded (API drain, worker grace, dev server).
  const onSignal = () => {
    // A repeated signal while stopping changes nothing: tsx relays Ctrl-C a
    // second time, and every stop step has its own time limit.
    if (stopping) {
      return;
    }
    stopping = true;
    process.stderr.write('consentline: stopping…\n');
    if (stop) {
      stopNow(stop);
    } else {
      stopRequested = true;
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    stop = await start(loadConfig());
  } catch (err) {
    process.stderr.write(`consentline: ${(err as Error).message.split('\n')[0]}\n`);
    process.exit(1);
  }
  if (stopRequested) {
    stopNow(stop);
  }
}
