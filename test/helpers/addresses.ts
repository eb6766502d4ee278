// People at different client addresses without a proxy: every 127.x.y.z is loopback on
// Linux, so a connection made from 127.0.0.2 reaches an IdP on 127.0.0.1 and its socket
// (ctx.ip) says 127.0.0.2. For tests of limits per client address.
import { connect } from 'node:net';
import { Agent } from 'undici';
import { Person } from './person.js';

/** An HTTP agent whose connections come from `localAddress` (a 127.x.y.z address). */
export function agentFrom(localAddress: string): Agent {
  return new Agent({
    connect: (opts, callback) => {
      const socket = connect({ host: opts.hostname, port: Number(opts.port), localAddress });
      socket.once('connect', () => callback(null, socket));
      socket.once('error', (err) => callback(err, null));
      return socket;
    },
  });
}

/** A person whose browser connects from the given loopback address. */
export class PersonAt extends Person {
  private readonly agent: Agent;

  constructor(idpOrigin: string, readonly address: string) {
    super(idpOrigin);
    this.agent = agentFrom(address);
  }

  override request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    return super.request(url, { ...init, dispatcher: this.agent } as RequestInit);
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
