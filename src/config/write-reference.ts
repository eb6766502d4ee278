// `npm run schema`: regenerate config/schema.json and the field reference in
// config/README.md from src/config/schema.ts (see reference.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { README_FILE, readmeText, referenceRows, SCHEMA_FILE, schemaFileText, undocumentedFields } from './reference.js';

const rows = referenceRows();
writeFileSync(SCHEMA_FILE, schemaFileText());
writeFileSync(README_FILE, readmeText(readFileSync(README_FILE, 'utf8'), rows));
process.stdout.write(`wrote ${SCHEMA_FILE} and ${README_FILE} (${rows.length} fields)\n`);
const missing = undocumentedFields(rows);
if (missing.length) {
  process.stderr.write(`fields without a description (add .describe() in src/config/schema.ts): ${missing.join(', ')}\n`);
  process.exitCode = 1;
}
