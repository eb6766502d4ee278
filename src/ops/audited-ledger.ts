// consent.decided: every decision the ledger keeps (sign-in consent, the consents page,
// CIBA) is audited once it is kept, linked to its ledger record by id (OIDC-8).
import type { ConsentLedger } from '../consent/ledger.js';
import type { AuditTrail } from './audit.js';

export function auditedLedger(ledger: ConsentLedger, trail: AuditTrail): ConsentLedger {
  return {
    kind: ledger.kind,
    async append(record) {
      await ledger.append(record);
      trail.emit(
        'consent.decided',
        { clientId: record.client.id, subject: record.accountId, grantId: record.grantId },
        { decision: record.decision, recordId: record.id, via: record.request.via },
      );
    },
    query: (filter) => ledger.query(filter),
    close: () => ledger.close(),
  };
}
