// npm run sim -- reply <number> <text...> | outbox [--to <number>] [--limit <n>]
// The handset side of the simulated carrier, through the running API: reply as
// a subscriber, or list what the simulated carrier delivered.
import { Command, InvalidArgumentError } from 'commander';

interface Options {
  url: string;
  key?: string;
}

const program = new Command('sim')
  .description('Talk to consentline as a subscriber when the simulated carrier is active')
  .option('--url <url>', 'base URL of the running API', process.env.CONSENTLINE_URL ?? `http://localhost:${process.env.PORT ?? 3000}`)
  .option('--key <token>', 'API key, if the simulator routes require one', process.env.CONSENTLINE_API_KEY);

async function call(path: string, init: RequestInit = {}): Promise<unknown> {
  const { url, key } = program.opts<Options>();
  let res: Response;
  try {
    res = await fetch(`${url.replace(/\/$/, '')}${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), ...(key ? { authorization: `Bearer ${key}` } : {}) },
    });
  } catch (err) {
    throw new Error(`cannot reach the API at ${url} (${(err as Error).cause ?? (err as Error).message}); is it running?`);
  }
  const body: unknown = await res.json().catch(() => null);
  if (res.status === 404 && path.startsWith('/sim')) {
    throw new Error('the API has no simulator: it runs with a Twilio account, or is not consentline');
  }
  if (!res.ok && res.status !== 502) {
    throw new Error(`HTTP ${res.status}: ${JSON.stringify(body)}`);
  }
  return body;
}

program
  .command('reply')
  .description('Text the program as a subscriber (e.g. JOIN, YES, HELP, STOP)')
  .argument('<number>', "the subscriber's phone number")
  .argument('<text...>', 'the text')
  .option('--to <sender>', "the program's number or Messaging Service SID (default: who last texted the number)")
  .action(async (number: string, text: string[], opts: { to?: string }) => {
    const result = (await call('/sim/reply', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: number, body: text.join(' '), ...(opts.to ? { to: opts.to } : {}) }),
    })) as { messageSid: string; httpStatus: number };
    const verdict = result.httpStatus < 300 ? 'accepted by the inbound webhook' : `refused by the inbound webhook (HTTP ${result.httpStatus})`;
    process.stdout.write(`${result.messageSid} ${verdict}\n`);
    process.exitCode = result.httpStatus < 300 ? 0 : 1;
  });

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) {
    throw new InvalidArgumentError('must be a whole number from 1 to 500');
  }
  return n;
}

program
  .command('outbox')
  .description('List texts the simulated carrier delivered, newest first')
  .option('--to <number>', 'only texts to this number')
  .option('--limit <n>', 'how many', positive, 20)
  .action(async (opts: { to?: string; limit: number }) => {
    const query = new URLSearchParams({ limit: String(opts.limit), ...(opts.to ? { to: opts.to } : {}) });
    const { messages } = (await call(`/sim/outbox?${query}`)) as { messages: { sid: string; to: string; from: string; body: string; status: string; createdAt: string }[] };
    if (messages.length === 0) {
      process.stdout.write('no texts yet\n');
      return;
    }
    for (const m of messages) {
      process.stdout.write(`${m.createdAt}  ${m.from} → ${m.to}  [${m.status}]  ${m.sid}\n  ${m.body.replace(/\n/g, '\n  ')}\n`);
    }
  });

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`sim: ${(err as Error).message}\n`);
  process.exit(1);
});
