// A store backend as an agency might write one (plugins.store): plain JavaScript, one Map,
// expiry checked on read. Tests write it to a file and name it in a deployment file; it
// must meet test/contract/backend-contract.ts like the stock backends.
export const MAP_BACKEND_SOURCE = `// An agency's record backend: everything it is given is already sealed or hashed.
export function createRecordBackend(options, context) {
  const records = new Map();
  const aliases = new Map();
  const grants = new Map();
  const id = (model, key) => model + ' ' + key;
  const live = (at) => at === undefined || at > Date.now();
  let puts = 0;
  function remove(model, key) {
    const record = records.get(id(model, key));
    if (!record) return;
    records.delete(id(model, key));
    if (record.grant) grants.get(record.grant + ' ' + model)?.delete(key);
  }
  function current(model, key) {
    const record = records.get(id(model, key));
    if (record && !live(record.expiresAt)) remove(model, key);
    return record && live(record.expiresAt) ? record : undefined;
  }
  context.logger.log('info', 'agency.store.ready', { name: options.name });
  return {
    kind: options.name,
    async get(model, key) {
      const record = current(model, key);
      return record ? { value: record.value } : undefined;
    },
    async getByAlias(model, alias) {
      const link = aliases.get(id(model, alias));
      if (!link || !live(link.expiresAt)) return undefined;
      const record = current(model, link.key);
      return record ? { key: link.key, found: { value: record.value } } : undefined;
    },
    async put(model, key, value, o) {
      if (o.ifAbsent && current(model, key)) return false;
      remove(model, key);
      const expiresAt = o.ttlMs === undefined ? undefined : Date.now() + o.ttlMs;
      records.set(id(model, key), { value, expiresAt, grant: o.grant });
      if (o.grant) {
        const index = o.grant + ' ' + model;
        if (!grants.has(index)) grants.set(index, new Set());
        grants.get(index).add(key);
      }
      for (const alias of o.aliases ?? []) aliases.set(id(model, alias), { key, expiresAt });
      puts += 1;
      return true;
    },
    async consume(model, key, seen, next) {
      const record = current(model, key);
      if (!record || record.value !== seen.value) return false;
      record.value = next;
      return true;
    },
    async delete(model, key, gone = []) {
      remove(model, key);
      for (const alias of gone) if (aliases.get(id(model, alias))?.key === key) aliases.delete(id(model, alias));
    },
    async revoke(grant, models) {
      for (const model of models) {
        for (const key of grants.get(grant + ' ' + model) ?? []) records.delete(id(model, key));
        grants.delete(grant + ' ' + model);
      }
    },
    async ready() { return true; },
    async close() {},
    stats() { return { records: records.size, puts }; },
    async dump() {
      return [...records.entries()].flatMap(([k, r]) => [k, r.value, ...(r.grant ? [r.grant] : [])]).concat([...aliases.keys()]);
    },
  };
}
`;
