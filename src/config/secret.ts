// A secret in the deployment file: shared by the main schema and the sections that live
// beside their own code (identity sources), so the field reference shows one `secret`.
import { z } from 'zod';

/** A secret is never required to sit in the file: name an environment variable or a file. */
export const secret = z
  .union([
    z.string().min(1),
    z.strictObject({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name') }),
    z.strictObject({ file: z.string().min(1) }),
  ])
  .meta({
    id: 'secret',
    description: 'A secret: the value itself, `{ "env": "NAME" }` (an environment variable) or `{ "file": "/run/secrets/name" }` (a file, trimmed). Prefer env or file.',
  });
export type SecretRef = z.infer<typeof secret>;
