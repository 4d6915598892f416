/**
 * Contact confirmation (data/policy.json contactConfirmation) is on by default. The tests of other
 * features file portal questions without a code, as the demo does; the confirmation tests turn it on
 * themselves (testBot's `confirmContacts`, startServer's `confirmContacts`). Spawned servers inherit it.
 */
process.env.HOIDAP_CONFIRM_CONTACTS ??= '0';
