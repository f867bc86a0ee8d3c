import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CrmConnector } from '../interfaces.js';

export interface CrmContractSetup {
  crm: CrmConnector;
  /** A person already in the CRM. */
  existing: { email: string; phone?: string };
  /** An email address nobody in the CRM has; the contract creates a contact with it. */
  newEmail: string;
  close?(): Promise<void>;
}

/** The behaviour every CrmConnector must have. */
export function crmContract(name: string, setup: () => Promise<CrmContractSetup>): void {
  describe(`crm contract: ${name}`, () => {
    let s: CrmContractSetup;
    before(async () => {
      s = await setup();
    });
    after(() => s?.close?.());

    it('finds an existing contact by email (any case), and by phone', async () => {
      const byEmail = await s.crm.findContact({ email: s.existing.email.toUpperCase() });
      assert.ok(byEmail?.id, `no contact for ${s.existing.email}`);
      assert.equal(byEmail.email?.toLowerCase(), s.existing.email.toLowerCase());
      if (s.existing.phone) {
        const byPhone = await s.crm.findContact({ phone: s.existing.phone });
        assert.equal(byPhone?.id, byEmail.id, 'the phone finds another contact');
      }
    });

    it('answers undefined (not an error) for someone unknown', async () => {
      assert.equal(await s.crm.findContact({ email: `nobody-${Date.now()}@example.invalid` }), undefined);
    });

    it('creates a contact, then updates it without duplicating it', async () => {
      const created = await s.crm.upsertContact({ email: s.newEmail, firstName: 'Zoé', lastName: 'Martin' });
      assert.ok(created.id, 'no id for the created contact');
      assert.equal(created.firstName, 'Zoé');
      const updated = await s.crm.upsertContact({ id: created.id, email: s.newEmail, lastName: 'Martin-Roux' });
      assert.equal(updated.id, created.id, 'the update made a new contact');
      assert.equal(updated.lastName, 'Martin-Roux');
      assert.equal(updated.firstName, 'Zoé', 'the first name was lost by updating the last name');
      const again = await s.crm.upsertContact({ email: s.newEmail.toUpperCase(), phone: '+33639980999' });
      assert.equal(again.id, created.id, 'the same email without an id made a second contact');
      assert.equal((await s.crm.findContact({ email: s.newEmail }))?.id, created.id);
    });

    it('records a lead and a case for a person given by email, and logs a conversation', async () => {
      const contact = { id: 'ct_contract', email: s.existing.email, name: 'Contract Test' };
      const lead = await s.crm.recordLead({ contact, subject: 'Quote for 12 lamps', details: 'From the contract kit' });
      assert.ok(lead.id, 'no id for the lead');
      const kase = await s.crm.recordLead({ contact, subject: 'Broken shade', kind: 'case' });
      assert.ok(kase.id, 'no id for the case');
      assert.notEqual(kase.id, lead.id);
      await s.crm.logConversation({ contact, summary: 'Asked about delivery times' });
    });
  });
}
