// `npm run hash-password`: reads a password (from stdin, without echo on a terminal)
// and prints the scrypt hash to put in the deployment file's accounts[].passwordHash.
import { createInterface } from 'node:readline';
import { hashPassword } from './password.js';

async function readPassword(): Promise<string> {
  const { stdin, stderr } = process;
  if (!stdin.isTTY) {
    let data = '';
    for await (const chunk of stdin) data += String(chunk);
    return data.replace(/\r?\n$/, '');
  }
  stderr.write('Password (not shown): ');
  stdin.setRawMode(true);
  return new Promise((resolve) => {
    let value = '';
    const rl = createInterface({ input: stdin });
    stdin.on('data', (buf: Buffer) => {
      const ch = buf.toString('utf8');
      if (ch === '\r' || ch === '\n') {
        stdin.setRawMode(false);
        rl.close();
        stderr.write('\n');
        resolve(value);
      } else if (ch === '\u0003') {
        process.exit(130);
      } else if (ch === '\u007f') {
        value = value.slice(0, -1);
      } else {
        value += ch;
      }
    });
  });
}

const password = await readPassword();
if (password.length < 8) {
  process.stderr.write('The password must be at least 8 characters.\n');
  process.exit(2);
}
process.stdout.write(`${await hashPassword(password)}\n`);
