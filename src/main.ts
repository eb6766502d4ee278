// Process entry: read config → build the IdP → listen; shut down cleanly on signals.
import { parseArgs } from 'node:util';
import { ConfigError } from './config/errors.js';
import { DEFAULT_CONFIG, loadConfig } from './config/load.js';
import { DEVELOPMENT_HOST, listenDescription, listenHost } from './ops/listen.js';
import { createLogger, type Logger } from './ops/log.js';
import { MINIMUM_NODE, runtimeSupport } from './ops/runtime.js';
import { loadLogger } from './plugins/index.js';
import { createIdp } from './server.js';

/** The stock logger until the deployment file names a logger module (plugins.logger). */
let logger: Logger = createLogger();

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string' } }, allowPositionals: false });
  const path = values.config ?? process.env.IDP_CONFIG ?? DEFAULT_CONFIG;
  const config = loadConfig(path);
  logger = (await loadLogger(config, logger)) ?? logger;
  if (runtimeSupport(process.version) !== 'supported') {
    logger.log('warn', 'runtime.unsupported', { node: process.version, supported: `>=${MINIMUM_NODE}`, message: 'This Node.js release is not supported (config/guides/operations.md: Supported Node.js versions). Run Node.js 22 LTS or later.' });
  }

  const idp = await createIdp(config, { logger });
  const host = listenHost(config);
  const port = await idp.listen(config.port, host);
  const listening = listenDescription(host, port, Boolean(config.tlsMaterial.server));
  logger.log('info', 'listening', { listening, issuer: config.issuer, port, store: config.store.type, mode: config.mode });
  if (config.mode === 'development') {
    const reach = host === DEVELOPMENT_HOST ? ' (this machine only; HOST=0.0.0.0 opens it to the network)' : '';
    process.stdout.write(`\n  Listening on ${listening}${reach}.\n`);
  }
  if (config.demo.enabled) {
    process.stdout.write(`\n  Open ${config.issuer.replace(/\/$/, '')}/demo to sign in with a demo client.\n\n`);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    // SIGTERM (orchestrators) drains for shutdown.drain seconds; SIGINT (Ctrl-C) does not.
    const drainMs = signal === 'SIGTERM' ? config.shutdown.drain * 1000 : 0;
    logger.log('info', 'shutdown', { signal, drainSeconds: drainMs / 1000, deadlineSeconds: config.shutdown.deadline });
    idp.close({ drainMs, deadlineMs: config.shutdown.deadline * 1000 }).then(
      ({ unfinished }) => {
        logger.log(unfinished ? 'warn' : 'info', 'shutdown.done', { signal, unfinished });
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // EP-7: re-read the signing-key file (the file is also watched).
  process.on('SIGHUP', () => idp.reloadKeys());
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) fail(err.format());
  if (err instanceof Error && 'code' in err && err.code === 'EADDRINUSE') fail(`The port is already in use: ${err.message}. Set PORT to another port.`);
  fail(`The identity provider could not start: ${err instanceof Error ? err.message : String(err)}`);
});
